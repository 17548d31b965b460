package io.liveboard.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand on plain sockets, from a chosen local address ({@code 127.0.0.1}, {@code 127.0.0.2}, …
 * all reach the test server on Linux loopback): to see exactly what the server does with a TCP connection
 * (answers it, holds it, closes it) where a client library would pool, retry or hide it.
 */
public final class RawHttp {

    /** The address the test server listens on, and the source address of the connections under test. */
    public static final String HOME = "127.0.0.1";
    /** Another source address, for connections that must not be affected by what {@link #HOME} does. */
    public static final String OTHER = "127.0.0.2";

    /** An answer: status, headers (lower-case names), body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return Json.parse(body);
            } catch (Exception e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }
    }

    /**
     * How a connection ended, as the client saw it: {@code eof} (orderly close), {@code reset}, or not at all
     * ({@link #open()}) within the wait; after how many milliseconds; the bytes (if any) the server sent.
     */
    public record Ending(String how, long afterMillis, String received) {
        public boolean open() {
            return OPEN.equals(how);
        }
    }

    static final String OPEN = "still open";

    private RawHttp() {
    }

    /** A TCP connection from {@code from} (a loopback address) to the test server, with a 10 s read timeout. */
    public static Socket connect(TestServer server, String from) {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(HOME, server.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            close(socket);
            throw new UncheckedIOException("connect from " + from + " failed", e);
        }
    }

    /** A keep-alive request (no body, or a JSON body). */
    public static String request(TestServer server, String method, String path, String json) {
        StringBuilder request = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(server.port()).append("\r\n");
        if (json != null) {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            request.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n\r\n")
                    .append(json);
        } else {
            request.append("\r\n");
        }
        return request.toString();
    }

    public static void write(Socket socket, String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write failed", e);
        }
    }

    /** Sends a keep-alive request on the connection and reads its answer; the connection stays open. */
    public static Response exchange(TestServer server, Socket socket, String method, String path, String json) {
        write(socket, request(server, method, path, json));
        return read(socket);
    }

    /** {@code GET path} on the connection, which stays open. */
    public static Response get(TestServer server, Socket socket, String path) {
        return exchange(server, socket, "GET", path, null);
    }

    /** One request on a new connection from {@code from}, closed afterwards. */
    public static Response once(TestServer server, String from, String method, String path, String json) {
        try (Socket socket = connect(server, from)) {
            return exchange(server, socket, method, path, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one answer (status line, headers, body by Content-Length or chunked) within the read timeout. */
    public static Response read(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            if (statusLine == null) {
                throw new AssertionError("Connection closed by the server instead of an answer");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = headers(in);
            return new Response(status, headers, body(in, headers));
        } catch (IOException e) {
            throw new UncheckedIOException("reading an answer failed", e);
        }
    }

    /** Reads an answer's status line and headers only (a stream: SSE, a WebSocket upgrade). */
    public static Response readHead(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            if (statusLine == null) {
                throw new AssertionError("Connection closed by the server instead of an answer");
            }
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers(in), "");
        } catch (IOException e) {
            throw new UncheckedIOException("reading an answer failed", e);
        }
    }

    /**
     * Waits up to {@code within} (counted from {@code sinceNanos}) for the server to end the connection, reading
     * (and keeping) whatever it sends meanwhile; {@link Ending#open()} if it is still open then. Restores the 10 s
     * read timeout.
     */
    public static Ending awaitEnd(Socket socket, long sinceNanos, Duration within) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = sinceNanos + within.toNanos();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Ending(OPEN, millisSince(sinceNanos), text(received));
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    return new Ending("eof", millisSince(sinceNanos), text(received));
                }
                received.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // a reset: the server closed with our bytes unread (or the socket was already closed)
            return new Ending("reset (" + e.getMessage() + ")", millisSince(sinceNanos), text(received));
        } finally {
            try {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(10_000);
                }
            } catch (IOException e) {
                // the connection is gone: nothing to restore
            }
        }
    }

    /**
     * Asserts that the server ends the connection within {@code within} (from {@code sinceNanos}) without sending
     * a single byte; returns how it ended.
     */
    public static Ending assertClosedWithoutAnswer(Socket socket, long sinceNanos, Duration within, String what) {
        Ending ending = awaitEnd(socket, sinceNanos, within);
        if (!ending.received().isEmpty()) {
            throw new AssertionError(what + ": answered (" + firstLine(ending.received()) + ") and "
                    + (ending.open() ? "still open " + ending.afterMillis() + " ms later"
                    : "then " + ending.how() + " after " + ending.afterMillis() + " ms")
                    + "; expected a close without an answer");
        }
        if (ending.open()) {
            throw new AssertionError(what + ": no answer, but still open " + ending.afterMillis()
                    + " ms later; expected the server to close it");
        }
        return ending;
    }

    /**
     * Asserts that for {@code period} the server neither sends anything on the connection nor closes it (the read
     * timeout is the pause).
     */
    public static void assertQuietAndOpen(Socket socket, Duration period, String what) {
        Ending ending = awaitEnd(socket, System.nanoTime(), period);
        if (!ending.open() || !ending.received().isEmpty()) {
            throw new AssertionError(what + ": expected silence for " + period.toMillis() + " ms, but the server "
                    + (ending.received().isEmpty() ? "" : "sent " + firstLine(ending.received()) + " and ")
                    + (ending.open() ? "kept it open"
                    : "closed it (" + ending.how() + ") after " + ending.afterMillis() + " ms"));
        }
    }

    public static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test client
        }
    }

    public static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    static String firstLine(String text) {
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, String> headers(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).strip());
        }
        return headers;
    }

    private static String body(InputStream in, Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            return body.toString(StandardCharsets.UTF_8);
        }
        return "";
    }

    private static int chunkSize(String line) {
        if (line == null) {
            throw new AssertionError("Connection closed in the middle of a chunked body");
        }
        return Integer.parseInt(line.split(";")[0].strip(), 16);
    }

    /** One line without its CRLF; null at the end of the stream before any byte. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
