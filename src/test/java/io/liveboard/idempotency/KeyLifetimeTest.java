package io.liveboard.idempotency;

import static io.liveboard.idempotency.Keys.REPLAYED;
import static io.liveboard.idempotency.Keys.keyed;
import static io.liveboard.idempotency.Keys.rows;
import static io.liveboard.idempotency.Keys.titles;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.MovableClock;
import io.liveboard.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long a key is remembered: in the database, so across a restart (and a database made before keys existed
 * gains their table); for 24 hours from its first use, then forgotten and purged a bounded number at a time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyLifetimeTest {

    private static final Duration DAY = Duration.ofHours(24);

    @Test
    void aKeyOutlivesARestartOfTheServer() {
        Config config = TestServer.fastConfig();
        String key = Keys.fresh();
        String body = Json.write(Map.of("listId", "list-todo", "title", "Before the restart"));
        Http.Reply first;
        try (TestServer server = TestServer.start(config)) {
            first = keyed(new Http(server), "POST", "/tasks", body, key);
            assertEquals(201, first.status(), first.body());
        }
        try (TestServer server = TestServer.start(config)) {
            Http http = new Http(server);
            Http.Reply again = keyed(http, "POST", "/tasks", body, key);
            assertEquals(201, again.status(), again.body());
            assertEquals("true", again.header(REPLAYED));
            assertEquals(first.body(), again.body());
            assertEquals(List.of("Before the restart"), titles(http, "board-1"));
        }
    }

    @Test
    void aDatabaseFromBeforeKeysOpensAndGainsTheirTable() {
        Config config = TestServer.fastConfig();
        Path db = TestServer.sqliteFile(config);
        try (TestServer server = TestServer.start(config)) {
            new Http(server).createTask("list-todo", "Made before keys");
        }
        // the database as the version before keys left it: no key table, no events' origin, and no migration
        // history either
        Keys.execute(db, "DROP TABLE idempotency_keys");
        Keys.execute(db, "ALTER TABLE events DROP COLUMN origin_id");
        Keys.execute(db, "DROP TABLE flyway_schema_history");
        assertFalse(Keys.hasTable(db, "idempotency_keys"));

        try (TestServer server = TestServer.start(config)) {
            Http http = new Http(server);
            String key = Keys.fresh();
            String body = Json.write(Map.of("listId", "list-todo", "title", "Made with a key"));
            assertEquals(201, keyed(http, "POST", "/tasks", body, key).status());
            assertEquals("true", keyed(http, "POST", "/tasks", body, key).header(REPLAYED));
            assertEquals(List.of("Made before keys", "Made with a key"), titles(http, "board-1"));
        }
        assertTrue(Keys.hasTable(db, "idempotency_keys"));
    }

    @Test
    void aKeyIsRememberedForADayFromItsFirstUseThenForgotten() {
        MovableClock clock = new MovableClock();
        Config config = TestServer.fastConfig();
        Path db = TestServer.sqliteFile(config);
        try (TestServer server = TestServer.start(config, clock)) {
            Http http = new Http(server);
            String reused = Keys.fresh();
            String purged = Keys.fresh();
            assertEquals(201, create(http, "First", reused).status());
            assertEquals(201, create(http, "Purged with the next change", purged).status());

            clock.advance(DAY.minusMinutes(1));
            assertEquals("true", create(http, "First", reused).header(REPLAYED), "a minute before the day is out");
            Http.Reply other = create(http, "Second", reused);
            assertEquals(422, other.status(), other.body());

            clock.advance(Duration.ofMinutes(1));
            assertEquals(List.of(1, 1), List.of(rows(db, reused), rows(db, purged)), "not purged yet");
            // a day after its first use the key is a new key: it applies, here another command than the first
            Http.Reply second = create(http, "Second", reused);
            assertEquals(201, second.status(), second.body());
            assertNull(second.header(REPLAYED));
            // that change purged the other expired key in its transaction; the reused one holds its new result
            assertEquals(List.of(1, 0), List.of(rows(db, reused), rows(db, purged)));
            assertEquals("true", create(http, "Second", reused).header(REPLAYED));
            assertEquals(201, create(http, "Purged with the next change", purged).status());
            assertEquals(List.of("First", "Purged with the next change", "Second", "Purged with the next change"),
                    titles(http, "board-1"));
        }
    }

    @Test
    void expiredKeysArePurgedABoundedNumberAtATime() {
        MovableClock clock = new MovableClock();
        Config config = TestServer.fastConfig();
        Path db = TestServer.sqliteFile(config);
        try (TestServer server = TestServer.start(config, clock)) {
            Http http = new Http(server);
            List<String> old = new ArrayList<>();
            for (int i = 0; i < 130; i++) {
                old.add("old-" + i + "-" + Keys.fresh());
                assertEquals(201, create(http, "Old " + i, old.get(i)).status());
                clock.advance(Duration.ofSeconds(1)); // so that "oldest" is one order
            }
            clock.advance(DAY);
            assertEquals(201, create(http, "Purges a hundred", Keys.fresh()).status());
            assertEquals(30, old.stream().mapToInt(key -> rows(db, key)).sum(), "the 100 oldest went first");
            assertEquals(0, old.subList(0, 100).stream().mapToInt(key -> rows(db, key)).sum());
            assertEquals(201, create(http, "Purges the rest", Keys.fresh()).status());
            assertEquals(0, old.stream().mapToInt(key -> rows(db, key)).sum());
            assertEquals(object("status", "ok"), http.get("/healthz").json());
        }
    }

    private static Http.Reply create(Http http, String title, String key) {
        return keyed(http, "POST", "/tasks", Json.write(Map.of("listId", "list-todo", "title", title)), key);
    }
}
