package io.liveboard.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.TestServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket client written on a plain socket (RFC 6455 framing by hand), for floods that must reach the
 * server's socket before the server answers: {@link #sendAll} writes every frame in one go, and
 * {@link #readUntilClosed} then reads what the server sent, up to its close frame and the end of the
 * connection. (A client library still writing when the server closes may lose the close frame to the
 * resulting connection reset; see {@code MessageRateTest}.)
 */
final class RawWebSocket implements AutoCloseable {

    /** What the server sent: its text messages, in order, and its close status and reason (null if none). */
    record Received(List<JsonNode> messages, Integer closeCode, String closeReason, String end) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Connects, upgrades, and reads up to the server's {@code connected} message. */
    static RawWebSocket connect(TestServer server) {
        try {
            Socket socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout(20_000);
            RawWebSocket client = new RawWebSocket(socket);
            client.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            String status = client.line();
            if (!status.contains(" 101 ")) {
                throw new IllegalStateException("upgrade refused: " + status);
            }
            while (!client.line().isEmpty()) {
                // the upgrade's headers
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every message as a masked text frame, all in one write. */
    void sendAll(List<String> messages) {
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

    /** The next text message; fails on anything else. */
    JsonNode next() {
        try {
            int opcode = in.readUnsignedByte() & 0x0f;
            byte[] payload = payload();
            if (opcode != 1) {
                throw new AssertionError("expected a text frame, got opcode " + opcode);
            }
            return Json.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads text messages until the server's close frame and the end of the connection. */
    Received readUntilClosed() {
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
                    code = (payload[0] & 0xff) << 8 | (payload[1] & 0xff);
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

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test client
        }
    }
}
