package io.liveboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A client on another local address than the attacker's, asking whether the server still serves it: at a
 * fixed pace, whatever the answers' pace, it (a) opens a fresh connection and GETs {@code /healthz}, timing
 * connect to status line, and (b) opens a WebSocket and times connect + {@code ping} to {@code pong}. A check
 * that fails, or takes longer than the timeout, counts as a failure (timeouts also on their own).
 */
final class Bystander implements AutoCloseable {

    /** One kind of check: the latencies of those that succeeded, and the ones that did not. */
    static final class Check {
        private final Histogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
        private final AtomicInteger attempts = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicInteger timeouts = new AtomicInteger();

        void succeeded(long nanos) {
            latency.recordValue(Math.max(0, nanos));
        }

        void failed(Throwable cause) {
            failures.incrementAndGet();
            if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException) {
                timeouts.incrementAndGet();
            }
        }

        Histogram latency() {
            return latency;
        }

        int attempts() {
            return attempts.get();
        }

        /** Failures, timeouts included. */
        int failures() {
            return failures.get();
        }

        int timeouts() {
            return timeouts.get();
        }
    }

    private final URI base;
    private final InetAddress from;
    private final Duration every;
    private final Duration timeout;
    private final Check healthz = new Check();
    private final Check webSocket = new Check();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bystander"));
    private final ExecutorService blocking = Executors.newCachedThreadPool(r -> daemon(r, "bystander-healthz"));
    private final WebSocketClient jetty;

    /** A bystander of the server at {@code base} (http://host:port), from local address {@code from}. */
    Bystander(URI base, InetAddress from, Duration every, Duration timeout) throws Exception {
        this.base = base;
        this.from = from;
        this.every = every;
        this.timeout = timeout;
        HttpClient http = new HttpClient();
        http.setBindAddress(new InetSocketAddress(from, 0));
        http.setConnectTimeout(timeout.toMillis());
        this.jetty = new WebSocketClient(http);
        jetty.start();
    }

    /**
     * Checks a few times before the attack, not counted: the first WebSocket of this process costs hundreds of
     * milliseconds of class loading and compilation here, which is not the server's.
     */
    void warmUp() throws InterruptedException {
        Check ignored = new Check();
        for (int i = 0; i < 5; i++) {
            checkHealthz(ignored);
            checkWebSocket(ignored);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (done(ignored) < 10 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Starts checking, once every {@code every}. */
    void start() {
        pace.scheduleAtFixedRate(() -> {
            healthz.attempts.incrementAndGet();
            blocking.execute(() -> checkHealthz(healthz));
            webSocket.attempts.incrementAndGet();
            checkWebSocket(webSocket);
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops starting checks, and waits (up to the timeout and a bit) for those under way. */
    void stop() throws InterruptedException {
        pace.shutdown();
        pace.awaitTermination(1, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + timeout.plusSeconds(1).toNanos();
        while (System.nanoTime() < deadline && (done(healthz) < healthz.attempts() || done(webSocket) < webSocket.attempts())) {
            Thread.sleep(20);
        }
    }

    private static long done(Check check) {
        return check.latency.getTotalCount() + check.failures();
    }

    Check healthz() {
        return healthz;
    }

    Check webSocket() {
        return webSocket;
    }

    /** A fresh connection, a GET /healthz, and its status line: a 200 within the timeout succeeds. */
    private void checkHealthz(Check healthz) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), (int) timeout.toMillis());
            String host = base.getHost() + ":" + base.getPort();
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = statusLine(socket, deadline);
            if (status.startsWith("HTTP/1.1 200 ")) {
                healthz.succeeded(System.nanoTime() - start);
            } else {
                healthz.failed(new IOException("answered " + status));
            }
        } catch (IOException | RuntimeException e) {
            healthz.failed(e);
        }
    }

    private static String statusLine(Socket socket, long deadlineNanos) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("no status line in time");
            }
            socket.setSoTimeout((int) left);
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a status line: '" + line + "'");
            }
            if (b == '\n') {
                return line.toString().strip();
            }
            line.append((char) b);
        }
    }

    /** A new WebSocket, a ping, and its pong within the timeout. */
    private void checkWebSocket(Check webSocket) {
        long start = System.nanoTime();
        PongListener listener = new PongListener();
        CompletableFuture<Session> connecting;
        try {
            connecting = jetty.connect(listener, URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/ws"));
        } catch (IOException | RuntimeException e) {
            webSocket.failed(e);
            return;
        }
        connecting.whenComplete((session, error) -> {
            if (error != null) {
                listener.pong.completeExceptionally(error);
            }
        });
        listener.pong.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, error) -> {
            if (error == null) {
                webSocket.succeeded(System.nanoTime() - start);
            } else {
                webSocket.failed(error instanceof CompletionException ? error.getCause() : error);
                connecting.cancel(true);
            }
            listener.close();
        });
    }

    /** Sends a ping once open and completes when the pong comes. Public: Jetty calls it reflectively. */
    public static final class PongListener implements Session.Listener.AutoDemanding {
        final CompletableFuture<Void> pong = new CompletableFuture<>();
        private volatile Session session;

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.sendText("{\"type\":\"ping\"}", Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"type\":\"pong\"")) {
                pong.complete(null);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            pong.completeExceptionally(cause);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            pong.completeExceptionally(new IOException("closed before the pong: " + statusCode + " " + reason));
            callback.succeed();
        }

        void close() {
            Session open = session;
            if (open != null && open.isOpen()) {
                open.close();
            }
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() throws Exception {
        pace.shutdownNow();
        blocking.shutdownNow();
        jetty.stop();
    }
}
