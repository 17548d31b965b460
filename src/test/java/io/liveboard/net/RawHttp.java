package io.liveboard.net;

import io.liveboard.support.HttpWire;
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
    public static HttpWire.Answer exchange(TestServer server, Socket socket, String method, String path, String json) {
        write(socket, request(server, method, path, json));
        return read(socket);
    }

    /** {@code GET path} on the connection, which stays open. */
    public static HttpWire.Answer get(TestServer server, Socket socket, String path) {
        return exchange(server, socket, "GET", path, null);
    }

    /** One request on a new connection from {@code from}, closed afterwards. */
    public static HttpWire.Answer once(TestServer server, String from, String method, String path, String json) {
        try (Socket socket = connect(server, from)) {
            return exchange(server, socket, method, path, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one answer (status line, headers, body by Content-Length or chunked) within the read timeout. */
    public static HttpWire.Answer read(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            int status = status(in);
            Map<String, String> headers = HttpWire.headers(in);
            return new HttpWire.Answer(status, headers, HttpWire.body(in, headers));
        } catch (IOException e) {
            throw new UncheckedIOException("reading an answer failed", e);
        }
    }

    /** Reads an answer's status line and headers only (a stream: SSE, a WebSocket upgrade). */
    public static HttpWire.Answer readHead(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            return new HttpWire.Answer(status(in), HttpWire.headers(in), "");
        } catch (IOException e) {
            throw new UncheckedIOException("reading an answer failed", e);
        }
    }

    /** The status of the answer whose status line comes next; fails if the server closed instead. */
    private static int status(InputStream in) throws IOException {
        String statusLine = HttpWire.line(in);
        if (statusLine == null) {
            throw new AssertionError("Connection closed by the server instead of an answer");
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
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
}
