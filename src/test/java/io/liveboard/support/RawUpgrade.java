package io.liveboard.support;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A WebSocket upgrade request written by hand on a plain socket, with exactly the headers given (no client
 * adds an {@code Origin} or anything else behind the test's back), to read a refusal's status and body. A
 * 101 answer is returned at once and the socket closed: the server sees the new WebSocket go away again.
 */
public final class RawUpgrade {

    private RawUpgrade() {
    }

    public static HttpWire.Answer attempt(TestServer server, String path, Map<String, String> headers) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(server.port()).append("\r\n")
                    .append("Upgrade: websocket\r\n")
                    .append("Connection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();

            InputStream in = socket.getInputStream();
            String statusLine = HttpWire.line(in);
            if (statusLine == null) {
                throw new EOFException("connection closed instead of an answer");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> answerHeaders = HttpWire.headers(in);
            if (status == 101) {
                return new HttpWire.Answer(status, answerHeaders, "");
            }
            // the socket is closed after this answer: a body its headers do not frame runs to the end of the stream
            String body = HttpWire.framed(answerHeaders) ? HttpWire.body(in, answerHeaders)
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new HttpWire.Answer(status, answerHeaders, body);
        } catch (IOException e) {
            throw new UncheckedIOException("raw upgrade to " + path + " failed", e);
        }
    }
}
