package io.liveboard.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket written by hand (RFC 6455 framing) on a {@link RawHttp#connect connection from a chosen address}:
 * the Jetty client always connects from 127.0.0.1. Text frames only, unfragmented, enough for
 * {@code connected} and a ping/pong.
 */
public final class RawWs implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;

    private RawWs(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades a new connection from {@code from}, asserting 101 and reading up to the server's {@code connected}. */
    public static RawWs connect(TestServer server, String from) {
        Socket socket = RawHttp.connect(server, from);
        try {
            RawHttp.write(socket, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            RawHttp.Response head = RawHttp.readHead(socket);
            if (head.status() != 101) {
                throw new AssertionError("WebSocket upgrade from " + from + " answered " + head.status() + " "
                        + head.headers());
            }
            RawWs ws = new RawWs(socket);
            JsonNode connected = ws.next();
            if (!"connected".equals(connected.path("type").asText())) {
                throw new AssertionError("expected connected first, got " + connected);
            }
            return ws;
        } catch (IOException e) {
            RawHttp.close(socket);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            RawHttp.close(socket);
            throw e;
        }
    }

    public Socket socket() {
        return socket;
    }

    /** Sends a masked text frame. */
    public void send(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x37, 0x1a, 0x5c, 0x02};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        try {
            socket.getOutputStream().write(frame.toByteArray());
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next text message (within the 10 s read timeout), skipping pings from the server. */
    public JsonNode next() {
        try {
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0f;
                int second = in.readUnsignedByte();
                long length = second & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if (opcode == 1) {
                    return Json.parse(new String(payload, StandardCharsets.UTF_8));
                }
                if (opcode == 8) {
                    int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : -1;
                    throw new AssertionError("the server closed the WebSocket: " + code);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading a WebSocket frame failed", e);
        }
    }

    /** Sends {@code ping} and returns the {@code pong}, failing on anything else first. */
    public JsonNode ping() {
        send("{\"type\":\"ping\"}");
        JsonNode answer = next();
        if (!"pong".equals(answer.path("type").asText())) {
            throw new AssertionError("expected pong, got " + answer);
        }
        return answer;
    }

    @Override
    public void close() {
        RawHttp.close(socket);
    }
}
