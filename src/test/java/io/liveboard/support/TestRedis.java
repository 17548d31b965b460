package io.liveboard.support;

import io.liveboard.config.RedisUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import redis.embedded.RedisServer;

/**
 * One Redis for the whole test run: the one {@code LIVEBOARD_TEST_REDIS_URL} names ({@code redis://host:port}), or
 * else a redis-server 6.2 started once per test JVM from the {@code com.github.codemonstur:embedded-redis} artifact
 * (the binary comes with it from Maven; it runs here as root) on a free port, stopped when the JVM ends. Without
 * either, the Redis tests are skipped with a message saying why, unless {@code LIVEBOARD_REQUIRE_SERVICES=1} (set by
 * {@code .ci/run}), which makes them fail instead. The embedded one can be {@link #stop stopped} and
 * {@link #start started} again on the same port, for tests of an outage.
 */
public final class TestRedis {

    private static RedisUrl url;
    private static RedisServer embedded;
    private static String unavailable;

    private TestRedis() {
    }

    /** The Redis's URL; skips (or fails) the calling test when there is none. */
    public static synchronized RedisUrl url() {
        if (url == null && unavailable == null) {
            open();
        }
        if (url == null) {
            if ("1".equals(System.getenv("LIVEBOARD_REQUIRE_SERVICES"))) {
                Assertions.fail(unavailable + " (LIVEBOARD_REQUIRE_SERVICES=1: not skipped)");
            }
            Assumptions.abort(unavailable);
        }
        return url;
    }

    /** Stops the embedded Redis (its clients see the connection drop); skips the test on an external one. */
    public static synchronized void stop() {
        try {
            requireEmbedded().stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the embedded Redis again on its port, after {@link #stop}. */
    public static synchronized void start() {
        try {
            requireEmbedded().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RedisServer requireEmbedded() {
        url();
        Assumptions.assumeTrue(embedded != null, "LIVEBOARD_TEST_REDIS_URL names a Redis the tests cannot stop");
        return embedded;
    }

    private static void open() {
        String external = System.getenv("LIVEBOARD_TEST_REDIS_URL");
        if (external != null && !external.isBlank()) {
            RedisUrl named;
            try {
                named = RedisUrl.parse(external);
            } catch (IllegalArgumentException e) {
                unavailable = "LIVEBOARD_TEST_REDIS_URL " + e.getMessage();
                return;
            }
            java.net.URI uri = java.net.URI.create(named.url());
            int port = uri.getPort() < 0 ? RedisUrl.DEFAULT_PORT : uri.getPort();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), port), 2000);
                url = named;
            } catch (IOException e) {
                unavailable = "Redis tests: cannot connect to LIVEBOARD_TEST_REDIS_URL " + named + ": " + e;
            }
            return;
        }
        try {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (IOException e) {
                    // the JVM is ending
                }
            }, "embedded-redis-stop"));
            embedded = server;
            url = new RedisUrl("redis://127.0.0.1:" + port);
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailable = "Redis tests need a Redis: the embedded one (com.github.codemonstur:embedded-redis) did not "
                    + "start (" + e + "); or name one with LIVEBOARD_TEST_REDIS_URL=redis://host:port";
        }
    }
}
