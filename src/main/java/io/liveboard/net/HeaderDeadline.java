package io.liveboard.net;

import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/1 connection whose request headers are not complete {@code timeout} after the request's first
 * byte, or that sent nothing {@code timeout} after it was accepted: against slowloris, which holds connections
 * by sending a header byte now and then (Jetty's idle timeout only asks for some byte every so often). Requests
 * being answered (long polls, SSE streams), WebSockets and keep-alive connections idle between requests are left
 * alone. {@link #run} is one sweep, run twice a second by the shared scheduler; a connection is closed on the
 * second sweep that sees it late, so the close comes between {@code timeout} and {@code timeout} + 2 sweeps.
 * Thread-safe.
 */
public final class HeaderDeadline implements Connection.Listener, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    /** When a connection opened, and the request start a sweep last found late (0: none). */
    private static final class Watch {
        final long openedAt = System.nanoTime();
        long lateBegin;
    }

    private final long timeoutNanos;
    private final ConcurrentHashMap<HttpConnection, Watch> connections = new ConcurrentHashMap<>();

    public HeaderDeadline(java.time.Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.put(http, new Watch());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.remove(http); // also on an upgrade to WebSocket
        }
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        connections.forEach((connection, watch) -> {
            long begin = headersBegan(connection, watch);
            if (begin != 0 && now - begin >= timeoutNanos) {
                // read from another thread than the parser's: act only if two sweeps saw the same late request
                if (watch.lateBegin == begin) {
                    LOG.debug("Closing {}: request headers not complete in time", connection);
                    connection.getEndPoint().close();
                } else {
                    watch.lateBegin = begin;
                }
            } else {
                watch.lateBegin = 0;
            }
        });
    }

    /** When the headers now awaited began to be awaited: 0 if none are awaited. */
    private static long headersBegan(HttpConnection connection, Watch watch) {
        HttpParser parser = connection.getParser();
        if (!parser.inHeaderState()) {
            return 0; // a request being answered, or a closed parser
        }
        if (!parser.isStart()) {
            return parser.getBeginNanoTime(); // a request line or headers arriving
        }
        return connection.getMessagesIn() == 0 ? watch.openedAt : 0; // nothing sent yet, or idle between requests
    }
}
