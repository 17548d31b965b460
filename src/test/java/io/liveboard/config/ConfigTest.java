package io.liveboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigTest {

    @Test
    void defaultsAreTheCourseSettings() {
        Config config = ConfigParser.parse(new String[0], Map.of());
        assertEquals(3000, config.port());
        assertEquals(new Database.SqliteFile(Path.of("data", "liveboard.db")), config.db());
        assertEquals(Duration.ofSeconds(30), config.longPollTimeout());
        assertEquals(Duration.ofSeconds(15), config.sseHeartbeat());
        assertEquals(Duration.ofSeconds(30), config.wsPingInterval());
        assertEquals(65536, config.maxBodyBytes());
        assertEquals(1048576, config.maxQueuedBytes());
        assertEquals(1000, config.maxConnectionsPerIp());
        assertEquals(0, config.maxConnections(), "0: from the open-file limit");
        assertEquals(Duration.ofSeconds(5), config.headerTimeout());
        assertEquals(Config.defaults(), config);
    }

    @Test
    void environmentOverridesDefaultsAndFlagsOverrideEnvironment() {
        Map<String, String> env = Map.of("PORT", "4000", "LIVEBOARD_DB", "/tmp/env.db", "LIVEBOARD_SSE_HEARTBEAT", "5",
                "LIVEBOARD_HEADER_TIMEOUT", "2.5", "LIVEBOARD_MAX_CONNECTIONS", "500");
        Config fromEnv = ConfigParser.parse(new String[0], env);
        assertEquals(4000, fromEnv.port());
        assertEquals(new Database.SqliteFile(Path.of("/tmp/env.db")), fromEnv.db());
        assertEquals(Duration.ofSeconds(5), fromEnv.sseHeartbeat());
        assertEquals(Duration.ofMillis(2500), fromEnv.headerTimeout());
        assertEquals(500, fromEnv.maxConnections());

        Config fromFlags = ConfigParser.parse(new String[] {"--port", "5000", "--db=/tmp/flag.db", "--long-poll-timeout",
                "0.5", "--max-connections-per-ip", "0"}, env);
        assertEquals(5000, fromFlags.port());
        assertEquals(new Database.SqliteFile(Path.of("/tmp/flag.db")), fromFlags.db());
        assertEquals(Duration.ofMillis(500), fromFlags.longPollTimeout());
        assertEquals(0, fromFlags.maxConnectionsPerIp());
    }

    @Test
    void badValuesFailWithAMessageNamingWhereTheyCameFrom() {
        assertEquals("Unknown option: --prot", refused(new String[] {"--prot", "1"}, Map.of()));
        assertEquals("--port must be a whole number, got 'abc'", refused(new String[] {"--port", "abc"}, Map.of()));
        assertEquals("PORT must be a whole number, got 'xyz'", refused(new String[0], Map.of("PORT", "xyz")));
        assertEquals("PORT must be between 0 and 65535, got 70000", refused(new String[0], Map.of("PORT", "70000")));
        assertEquals("--port must be between 0 and 65535, got 70000",
                refused(new String[] {"--port", "70000"}, Map.of("PORT", "1")));
        assertEquals("--db needs a value", refused(new String[] {"--db"}, Map.of()));
        assertEquals("--sse-heartbeat must be more than 0", refused(new String[] {"--sse-heartbeat", "0"}, Map.of()));
        assertEquals("LIVEBOARD_SSE_HEARTBEAT must be a number of seconds, got 'soon'",
                refused(new String[0], Map.of("LIVEBOARD_SSE_HEARTBEAT", "soon")));
        assertEquals("--auth must be off or token, got 'maybe'", refused(new String[] {"--auth", "maybe"}, Map.of()));
        assertTrue(refused(new String[] {"--auth", "token"}, Map.of()).contains("--jwt-secret"));
    }

    @Test
    void theWebRootIsTheJarsUnlessAFolderIsGiven() throws Exception {
        assertEquals(null, Config.defaults().webRoot());
        Path folder = Files.createTempDirectory("liveboard-web");
        assertEquals(folder, ConfigParser.parse(new String[] {"--web-root", folder.toString()}, Map.of()).webRoot());
        assertEquals("LIVEBOARD_WEB_ROOT must be a folder, got " + folder.resolve("none"),
                refused(new String[0], Map.of("LIVEBOARD_WEB_ROOT", folder.resolve("none").toString())));
    }

    @Test
    void redisIsRefusedWithoutAPostgresqlDatabaseAndShownWithoutItsPassword() {
        assertEquals(null, Config.defaults().redis());
        assertEquals("--redis needs --db postgresql://… (every node must share the database)",
                refused(new String[] {"--redis", "redis://localhost:6379"}, Map.of()));
        assertEquals("--redis needs --db postgresql://… (every node must share the database)",
                refused(new String[0], Map.of("LIVEBOARD_REDIS", "redis://localhost:6379")));
        assertEquals("--redis must be a URL of the form redis://host:port (or rediss:// for TLS), got 'localhost:6379'",
                refused(new String[] {"--redis", "localhost:6379", "--db", "postgresql://u@h/d"}, Map.of()));
        Config config = ConfigParser.parse(new String[] {"--db", "postgresql://u@db/liveboard"},
                Map.of("LIVEBOARD_REDIS", "rediss://:s3cret@cache:6380"));
        assertEquals("rediss://:s3cret@cache:6380", config.redis().url());
        assertTrue(config.toString().endsWith(" redis=rediss://:***@cache:6380"), config.toString());
        assertFalse(config.toString().contains("s3cret"), config.toString());
    }

    @Test
    void anUnknownLastFlagIsCalledUnknownNotShortOfAValue() {
        assertEquals("Unknown option: --bogus", refused(new String[] {"--bogus"}, Map.of()));
        assertEquals("Unknown option: --bogus", refused(new String[] {"--port", "1", "--bogus"}, Map.of()));
    }

    @Test
    void theUsageNamesEveryFlagItsVariableAndTheTokenCommand() {
        for (String flag : new String[] {"--port", "--host", "--db", "--allowed-origins", "--max-connections-per-ip",
                "--max-connections", "--header-timeout", "--ws-rate", "--transports", "--web-root", "--help"}) {
            assertTrue(ConfigParser.USAGE.contains(flag + " "), flag + " missing from:\n" + ConfigParser.USAGE);
        }
        assertTrue(ConfigParser.USAGE.contains("[LIVEBOARD_HEADER_TIMEOUT]"), ConfigParser.USAGE);
        assertTrue(ConfigParser.USAGE.contains("token --help"), ConfigParser.USAGE);
    }

    @Test
    void aPostgresqlUrlSelectsPostgresqlAndItsPasswordIsNeverShown() {
        Config flag = ConfigParser.parse(new String[] {"--db", "postgresql://alice:s3cret@db.example:6543/liveboard"},
                Map.of("LIVEBOARD_DB", "/tmp/env.db"));
        Database.Postgres pg = (Database.Postgres) flag.db();
        assertEquals(new Database.Postgres("db.example", 6543, "liveboard", "alice", "s3cret", ""), pg);
        assertEquals("jdbc:postgresql://db.example:6543/liveboard", pg.jdbcUrl());
        assertEquals("postgresql://alice@db.example:6543/liveboard", pg.toString());
        assertTrue(flag.toString().contains(" db=postgresql://alice@db.example:6543/liveboard "), flag.toString());
        assertFalse(flag.toString().contains("s3cret"), "the start line shows no password: " + flag);

        Config env = ConfigParser.parse(new String[0],
                Map.of("LIVEBOARD_DB", "postgres://bob:p%40ss%3Aword@localhost/board%20s?sslmode=require"));
        assertEquals(new Database.Postgres("localhost", 5432, "board s", "bob", "p@ss:word", "sslmode=require"),
                env.db(), "postgres:// too; the port defaults to 5432; parts are percent-decoded");
        assertEquals("jdbc:postgresql://localhost:5432/board+s?sslmode=require", ((Database.Postgres) env.db()).jdbcUrl());
        assertEquals(new Database.Postgres("127.0.0.1", 5432, "lb", "carol", null, ""),
                ConfigParser.parse(new String[] {"--db=POSTGRESQL://carol@127.0.0.1/lb"}, Map.of()).db(),
                "no password: the server may trust the connection");
        assertEquals(new Database.Postgres("pg_db", 5432, "lb", "dave", "x", ""),
                ConfigParser.parse(new String[] {"--db", "postgresql://dave:x@pg_db/lb"}, Map.of()).db(),
                "a host name as Docker makes them");
        assertEquals("jdbc:postgresql://[::1]:5433/lb",
                ((Database.Postgres) ConfigParser.parse(new String[] {"--db", "postgresql://eve@[::1]:5433/lb"},
                        Map.of()).db()).jdbcUrl());
    }

    @Test
    void aBadDatabaseUrlIsRefusedWithoutRepeatingItsPassword() {
        String form = "postgresql://user[:password]@host[:port]/dbname";
        assertEquals("--db must name a user: " + form + ", got 'postgresql://db.example/liveboard'",
                refused(new String[] {"--db", "postgresql://db.example/liveboard"}, Map.of()));
        assertEquals("LIVEBOARD_DB must name one database: " + form + ", got 'postgresql://alice:***@db.example'",
                refused(new String[0], Map.of("LIVEBOARD_DB", "postgresql://alice:s3cret@db.example")));
        assertEquals("--db must name a host: " + form + ", got 'postgresql://alice:***@/liveboard'",
                refused(new String[] {"--db", "postgresql://alice:s3cret@/liveboard"}, Map.of()));
        assertEquals("--db takes the user and password before the @, not as parameters: " + form
                + ", got 'postgresql://db.example/lb?user=alice&password=***'",
                refused(new String[] {"--db", "postgresql://db.example/lb?user=alice&password=s3cret"}, Map.of()));
        assertEquals("--db must be a file path or a postgresql:// URL, got 'mysql://alice@db.example/lb'",
                refused(new String[] {"--db", "mysql://alice@db.example/lb"}, Map.of()));
    }

    private static String refused(String[] args, Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigParser.parse(args, env)).getMessage();
    }
}
