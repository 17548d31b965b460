package io.liveboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A WebSocket client written on a plain socket (RFC 6455 framing by hand, text frames only, unfragmented), where
 * a client library would stand in the way: for floods that must reach the server's socket before the server
 * answers ({@link #sendAll} writes every frame in one go, and {@link #readUntilClosed} then reads what the server
 * sent, up to its close frame and the end of the connection; a client library still writing when the server
 * closes may lose the close frame to the resulting connection reset, see {@code MessageRateTest}), and for
 * connections from a chosen local address (the Jetty client always connects from 127.0.0.1).
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame as it came: its FIN bit, opcode and payload. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
    }

    /** What the server sent: its text messages, in order, and its close status and reason (null if none). */
    public record Received(List<JsonNode> messages, Integer closeCode, String closeReason, String end) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Connects from 127.0.0.1 and upgrades; the server's {@code connected} message is the first {@link #next}. */
    public static RawWebSocket connect(TestServer server) {
        return connect(server, "127.0.0.1");
    }

    /**
     * Connects from {@code from} (a loopback address: 127.0.0.2 reaches the test server too on Linux) and upgrades,
     * asserting 101; the server's {@code connected} message is the first {@link #next}.
     */
    public static RawWebSocket connect(TestServer server, String from) {
        Socket socket = new Socket();
        boolean upgraded = false;
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(20_000);
            RawWebSocket client = new RawWebSocket(socket);
            client.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            String status = HttpWire.line(client.in);
            Map<String, String> headers = HttpWire.headers(client.in);
            if (status == null || !status.contains(" 101 ")) {
                throw new AssertionError("WebSocket upgrade from " + from + " answered " + status + " " + headers);
            }
            upgraded = true;
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!upgraded) {
                close(socket);
            }
        }
    }

    /** Sends {@code join} and reads the {@code joined} and {@code presence} that answer it. */
    public void join(String boardId) {
        sendAll(List.of("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}"));
        assertEquals("joined", next().path("type").asText());
        assertEquals("presence", next().path("type").asText());
    }

    /** Sends {@code ping} and returns the {@code pong}, failing on anything else first. */
    public JsonNode ping() {
        sendAll(List.of("{\"type\":\"ping\"}"));
        JsonNode answer = next();
        if (!"pong".equals(answer.path("type").asText())) {
            throw new AssertionError("expected pong, got " + answer);
        }
        return answer;
    }

    /** Writes every message as a masked text frame, all in one write. */
    public void sendAll(List<String> messages) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (String message : messages) {
            byte[] payload = message.getBytes(StandardCharsets.UTF_8);
            byte[] mask = {0x11, 0x22, 0x33, 0x44};
            frames.write(0x81);
            if (payload.length < 126) {
                frames.write(0x80 | payload.length);
            } else {
                frames.write(0x80 | 126);
                frames.write(payload.length >> 8);
                frames.write(payload.length & 0xff);
            }
            frames.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                frames.write(payload[i] ^ mask[i % 4]);
            }
        }
        try {
            out.write(frames.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next text message (within the 20 s read timeout); fails on anything else, a close above all. */
    public JsonNode next() {
        try {
            int opcode = in.readUnsignedByte() & 0x0f;
            byte[] payload = payload();
            if (opcode == 8) {
                throw new AssertionError("the server closed the WebSocket: " + closeCode(payload));
            }
            if (opcode != 1) {
                throw new AssertionError("expected a text frame, got opcode " + opcode);
            }
            return Json.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a WebSocket frame failed", e);
        }
    }

    /** The next frame, whatever it is (within the 20 s read timeout). */
    public Frame nextFrame() {
        try {
            int first = in.readUnsignedByte();
            return new Frame((first & 0x80) != 0, first & 0x0f, payload());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a WebSocket frame failed", e);
        }
    }

    /** Reads text messages until the server's close frame and the end of the connection. */
    public Received readUntilClosed() {
        List<JsonNode> messages = new ArrayList<>();
        Integer code = null;
        String reason = null;
        String end;
        try {
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0f;
                byte[] payload = payload();
                if (opcode == 1) {
                    messages.add(Json.parse(new String(payload, StandardCharsets.UTF_8)));
                } else if (opcode == 8 && payload.length >= 2) {
                    code = closeCode(payload);
                    reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
                }
            }
        } catch (EOFException e) {
            end = "end of stream";
        } catch (IOException e) {
            end = e.toString();
        }
        return new Received(messages, code, reason, end);
    }

    private byte[] payload() throws IOException {
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }

    /** A close frame's status code, -1 if it has none. */
    private static int closeCode(byte[] payload) {
        return payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : -1;
    }

    @Override
    public void close() {
        close(socket);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test client
        }
    }
}
