package io.liveboard.support;

import io.liveboard.App;
import io.liveboard.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The real {@link App} on a free port and a fresh SQLite file, with heartbeats and timeouts made fast. */
public final class TestServer implements AutoCloseable {

    private final Config config;
    private App app;

    public TestServer(Config config) {
        this.config = config;
    }

    /**
     * Fast defaults: long poll 2 s, SSE heartbeat 0.3 s, WebSocket ping 30 s, on a new database file; the
     * WebSocket message rate is left practically unlimited (tests of the limit set their own).
     */
    public static Config fastConfig(Path db) {
        return new Config(0, "127.0.0.1", db, Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(500),
                Duration.ofSeconds(30), 64 * 1024, 1024 * 1024, 10_000, io.liveboard.auth.AuthMode.OFF, null, java.util.List.of(),
                100_000, 0);
    }

    public static TestServer start() {
        try {
            return start(fastConfig(Files.createTempDirectory("liveboard-test").resolve("liveboard.db")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start(Config config) {
        TestServer server = new TestServer(config);
        server.restart();
        return server;
    }

    /** Starts (again, on the same database file and a new port). */
    public void restart() {
        if (app != null) {
            app.stop();
        }
        try {
            app = new App(config).start();
        } catch (Exception e) {
            throw new IllegalStateException("App did not start", e);
        }
    }

    public void stop() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    public Config config() {
        return config;
    }

    public int port() {
        return app.port();
    }

    public String http(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public String ws(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        stop();
    }
}
