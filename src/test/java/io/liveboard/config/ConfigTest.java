package io.liveboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        Config config = Config.from(new String[0], Map.of());
        assertEquals(3000, config.port());
        assertEquals(Path.of("data", "liveboard.db"), config.db());
        assertEquals(Duration.ofSeconds(30), config.longPollTimeout());
        assertEquals(Duration.ofSeconds(15), config.sseHeartbeat());
        assertEquals(Duration.ofSeconds(30), config.wsPingInterval());
        assertEquals(65536, config.maxBodyBytes());
        assertEquals(1048576, config.maxQueuedBytes());
    }

    @Test
    void environmentOverridesDefaultsAndFlagsOverrideEnvironment() {
        Map<String, String> env = Map.of("PORT", "4000", "LIVEBOARD_DB", "/tmp/env.db", "LIVEBOARD_SSE_HEARTBEAT", "5");
        Config fromEnv = Config.from(new String[0], env);
        assertEquals(4000, fromEnv.port());
        assertEquals(Path.of("/tmp/env.db"), fromEnv.db());
        assertEquals(Duration.ofSeconds(5), fromEnv.sseHeartbeat());

        Config fromFlags = Config.from(new String[] {"--port", "5000", "--db=/tmp/flag.db", "--long-poll-timeout", "0.5"},
                env);
        assertEquals(5000, fromFlags.port());
        assertEquals(Path.of("/tmp/flag.db"), fromFlags.db());
        assertEquals(Duration.ofMillis(500), fromFlags.longPollTimeout());
    }

    @Test
    void badValuesFailWithAMessageNamingTheOption() {
        assertEquals("Unknown option: --prot",
                assertThrows(IllegalArgumentException.class, () -> Config.from(new String[] {"--prot", "1"}, Map.of()))
                        .getMessage());
        assertEquals("--port must be a whole number, got 'abc'",
                assertThrows(IllegalArgumentException.class, () -> Config.from(new String[] {"--port", "abc"}, Map.of()))
                        .getMessage());
        assertEquals("port must be between 0 and 65535, got 70000",
                assertThrows(IllegalArgumentException.class, () -> Config.from(new String[0], Map.of("PORT", "70000")))
                        .getMessage());
        assertEquals("--db needs a value",
                assertThrows(IllegalArgumentException.class, () -> Config.from(new String[] {"--db"}, Map.of()))
                        .getMessage());
        assertEquals("sse-heartbeat must be more than 0",
                assertThrows(IllegalArgumentException.class,
                        () -> Config.from(new String[] {"--sse-heartbeat", "0"}, Map.of())).getMessage());
    }
}
