package io.liveboard.support;

import io.liveboard.App;
import io.liveboard.board.BoardStore;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.realtime.EventBus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** The real {@link App} on a free port and a fresh SQLite file, with heartbeats and timeouts made fast. */
public final class TestServer implements AutoCloseable {

    private final Config config;
    private final UnaryOperator<BoardStore> storeWrapper;
    private final Clock clock;
    private final UnaryOperator<EventBus> busWrapper;
    private App app;

    public TestServer(Config config) {
        this(config, UnaryOperator.identity());
    }

    /** A server whose store is wrapped by {@code storeWrapper} (see {@link App#App(Config, UnaryOperator)}). */
    public TestServer(Config config, UnaryOperator<BoardStore> storeWrapper) {
        this(config, storeWrapper, Clock.systemUTC());
    }

    /** A server telling the time by {@code clock} (see {@link App#App(Config, UnaryOperator, Clock)}). */
    public TestServer(Config config, UnaryOperator<BoardStore> storeWrapper, Clock clock) {
        this(config, storeWrapper, clock, UnaryOperator.identity());
    }

    /** A server whose event bus is wrapped by {@code busWrapper} (see {@link App}). */
    public TestServer(Config config, UnaryOperator<BoardStore> storeWrapper, Clock clock,
            UnaryOperator<EventBus> busWrapper) {
        this.config = config;
        this.storeWrapper = storeWrapper;
        this.clock = clock;
        this.busWrapper = busWrapper;
    }

    /** A server on {@code config} whose event bus is wrapped by {@code busWrapper}. */
    public static TestServer startWithBus(Config config, UnaryOperator<EventBus> busWrapper) {
        TestServer server = new TestServer(config, UnaryOperator.identity(), Clock.systemUTC(), busWrapper);
        server.restart();
        return server;
    }

    /**
     * Fast defaults: long poll 2 s, SSE heartbeat 0.3 s, WebSocket ping 30 s, on a new database file; the
     * WebSocket message rate and the connections per address are left practically unlimited (tests of those
     * limits set their own).
     */
    public static Config fastConfig(Path db) {
        return fastConfig(new Database.SqliteFile(db));
    }

    /** {@link #fastConfig(Path)} on any database, such as a PostgreSQL one from {@link TestPostgres}. */
    public static Config fastConfig(Database db) {
        return Config.builder().port(0).host("127.0.0.1").db(db).longPollTimeout(Duration.ofSeconds(2))
                .sseHeartbeat(Duration.ofMillis(300)).sseRetry(Duration.ofMillis(500)).wsRate(100_000)
                .maxConnectionsPerIp(0).build();
    }

    /** {@link #fastConfig(Path)} on a new database file in a new temporary folder. */
    public static Config fastConfig() {
        try {
            return fastConfig(Files.createTempDirectory("liveboard-test").resolve("liveboard.db"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SQLite file of a configuration such as {@link #fastConfig()} makes (for tests that open it themselves). */
    public static Path sqliteFile(Config config) {
        if (config.db() instanceof Database.SqliteFile sqlite) {
            return sqlite.file();
        }
        throw new IllegalArgumentException("Not a SQLite database: " + config.db());
    }

    public static TestServer start() {
        return start(fastConfig());
    }

    public static TestServer start(Config config) {
        return start(config, UnaryOperator.identity());
    }

    public static TestServer start(Config config, UnaryOperator<BoardStore> storeWrapper) {
        TestServer server = new TestServer(config, storeWrapper);
        server.restart();
        return server;
    }

    /** A server on {@code config} whose clock is {@code clock} (a {@link MovableClock} to move time on). */
    public static TestServer start(Config config, Clock clock) {
        TestServer server = new TestServer(config, UnaryOperator.identity(), clock);
        server.restart();
        return server;
    }

    /** Starts (again, on the same database file and a new port). */
    public void restart() {
        if (app != null) {
            app.stop();
        }
        try {
            app = new App(config, storeWrapper, clock, busWrapper).start();
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
