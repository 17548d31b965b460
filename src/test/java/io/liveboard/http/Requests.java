package io.liveboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Requests with exactly the headers and body bytes a test gives: the JDK HttpClient for most (it adds no
 * {@code Content-Type} of its own), a raw socket where the client would hide what the test looks at (the
 * bytes after a HEAD answer's headers).
 */
final class Requests {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Requests() {
    }

    /** Any method, body bytes (null: none) and headers; answered as the other tests know it. */
    static Http.Reply send(TestServer server, String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return Http.reply(CLIENT, request.build(), method + " " + path);
    }

    static Http.Reply send(TestServer server, String method, String path, String body, Map<String, String> headers) {
        return send(server, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** {@code {"error": message}} as the server writes it. */
    static JsonNode error(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    /** A comma-separated header value as a set of its trimmed items (null: empty). */
    static Set<String> items(String headerValue) {
        Set<String> items = new LinkedHashSet<>();
        if (headerValue != null) {
            Arrays.stream(headerValue.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(items::add);
        }
        return items;
    }

    /** The same, lower-cased (header names are case-insensitive). */
    static Set<String> itemsLowerCase(String headerValue) {
        Set<String> items = new LinkedHashSet<>();
        items(headerValue).forEach(item -> items.add(item.toLowerCase(Locale.ROOT)));
        return items;
    }

    /** An answer read off a raw socket: status, headers (lower-case names), and every byte after the headers. */
    record Raw(int status, Map<String, String> headers, byte[] rest) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Writes {@code METHOD path} with {@code Connection: close} on a plain socket and reads the answer to the
     * end of the connection; a server that does not end it within {@code wait} fails the test.
     */
    static Raw rawClose(TestServer server, String method, String path, Duration wait) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) wait.toMillis());
            write(socket, method, path, true);
            InputStream in = socket.getInputStream();
            Raw head = readHead(in);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    rest.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError(method + " " + path + ": the answer did not end within " + wait
                        + "; status " + head.status() + ", after the headers: "
                        + rest.toString(StandardCharsets.UTF_8));
            }
            return new Raw(head.status(), head.headers(), rest.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
    }

    /** Writes a request line and the usual headers (Host; {@code Connection: close} if asked). */
    static void write(Socket socket, String method, String path, boolean close) throws IOException {
        String request = method + " " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + socket.getPort() + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads a status line and headers (up to the blank line), nothing more. */
    static Raw readHead(InputStream in) throws IOException {
        String statusLine = HttpWire.line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a complete line");
        }
        String[] parts = statusLine.split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new AssertionError("Not an HTTP status line: " + statusLine);
        }
        return new Raw(Integer.parseInt(parts[1]), HttpWire.headers(in), new byte[0]);
    }
}
