package io.liveboard.store;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Database;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real server on PostgreSQL ({@code --db postgresql://…}): the lesson's flow, a client resuming with
 * {@code since} after a restart and on another node of the same database, and the database out of reach for a while
 * (behind a {@link TcpProxy} that cuts the connections and turns new ones away).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresServerTest {

    private static String epochOf(JsonNode joined) {
        String epoch = joined.path("epoch").asText();
        assertTrue(epoch.matches("[0-9a-f]{8}"), joined.toString());
        return epoch;
    }

    private static boolean isTaskEvent(JsonNode message) {
        return message.path("type").asText().startsWith("task_");
    }

    private static JsonNode joinSince(WsClient client, String board, long since, String epoch) {
        client.send(Json.write(Map.of("type", "join", "boardId", board, "since", since, "epoch", epoch)));
        return client.awaitType("joined");
    }

    @Test
    void theLessonsFlowRunsOnPostgresql() {
        try (TestServer server = TestServer.start(TestServer.fastConfig(TestPostgres.freshDatabase()));
                WsClient alice = WsClient.connect(server);
                WsClient bob = WsClient.connect(server)) {
            Http http = new Http(server);
            JsonNode joined = alice.join("board-1");
            String epoch = epochOf(joined);
            assertEquals(object("type", "joined", "boardId", "board-1", "viewers", 1, "seq", 0, "epoch", epoch), joined);
            assertEquals(2, bob.join("board-1").path("viewers").asInt());

            Http.Reply created = http.post("/tasks", "{\"title\":\"Live update!\",\"listId\":\"list-todo\"}");
            assertEquals(201, created.status(), created.body());
            assertEquals("task-1", created.json().path("id").asText(), "the demo data and ids, as on SQLite");
            assertEquals("1", created.header("Liveboard-Seq"));
            JsonNode event = BoardEvents.event("task_created", "board-1", 1, "task", created.json());
            assertEquals(event, alice.await(PostgresServerTest::isTaskEvent));
            assertEquals(event, bob.await(PostgresServerTest::isTaskEvent));
            assertEquals("Live update!", http.get("/boards/board-1").json().path("lists").path(0).path("tasks").path(0)
                    .path("title").asText());
        }
    }

    @Test
    void aClientResumesWithSinceAfterARestartAndOnAnotherNodeOfTheDatabase() {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TestServer first = TestServer.start(TestServer.fastConfig(database));
                TestServer second = TestServer.start(TestServer.fastConfig(database))) {
            Http http = new Http(first);
            List<JsonNode> events = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                events.add(BoardEvents.event("task_created", "board-1", i, "task", http.createTask("list-todo",
                        "task " + i)));
            }
            String epoch;
            try (WsClient client = WsClient.connect(first)) {
                epoch = epochOf(client.join("board-1"));
            }

            try (WsClient elsewhere = WsClient.connect(second)) {
                JsonNode joined = joinSince(elsewhere, "board-1", 1, epoch);
                assertEquals(epoch, epochOf(joined), "both nodes have the database's epoch");
                assertEquals(3, joined.path("seq").asInt());
                assertEquals(events.get(1), elsewhere.await(PostgresServerTest::isTaskEvent));
                assertEquals(events.get(2), elsewhere.await(PostgresServerTest::isTaskEvent));
            }

            first.restart();
            try (WsClient again = WsClient.connect(first)) {
                JsonNode joined = joinSince(again, "board-1", 2, epoch);
                assertEquals(epoch, epochOf(joined), "a restart keeps the epoch");
                assertEquals(events.get(2), again.await(PostgresServerTest::isTaskEvent));
                JsonNode live = http.createTask("list-todo", "after the restart");
                assertEquals(BoardEvents.event("task_created", "board-1", 4, "task", live),
                        again.await(PostgresServerTest::isTaskEvent));
            }
        }
    }

    @Test
    void whileTheDatabaseIsOutOfReachChangesAnswer503QuicklyAndSocketsStayOpen() {
        Database.Postgres database = TestPostgres.freshDatabase();
        assumeTrue(List.of("localhost", "127.0.0.1").contains(database.host()), "the relay reaches 127.0.0.1 only");
        try (TcpProxy proxy = TcpProxy.start(database.port())) {
            Database.Postgres throughProxy = new Database.Postgres("127.0.0.1", proxy.port(), database.name(),
                    database.user(), database.password(), "");
            try (TestServer server = TestServer.start(TestServer.fastConfig(throughProxy));
                    WsClient viewer = WsClient.connect(server)) {
                Http http = new Http(server);
                viewer.join("board-1");
                http.createTask("list-todo", "before");
                viewer.await(PostgresServerTest::isTaskEvent);

                proxy.refuse();
                proxy.cutAll();
                long start = System.nanoTime();
                Http.Reply refused = http.post("/tasks", "{\"title\":\"while out\",\"listId\":\"list-todo\"}");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, refused.status(), refused.body());
                assertEquals(object("error", "Storage is unavailable, try again"), refused.json());
                assertTrue(millis < 5_000, "answered in " + millis + " ms");
                Http.Reply read = http.get("/boards/board-1");
                assertEquals(503, read.status(), "reads fail clearly too: " + read.body());
                viewer.send("{\"type\":\"ping\"}");
                viewer.awaitType("pong");

                proxy.allow();
                Http.Reply[] after = new Http.Reply[1];
                Await.until("a change commits once the database is back", Duration.ofSeconds(20), () -> {
                    after[0] = http.post("/tasks", "{\"title\":\"after\",\"listId\":\"list-todo\"}");
                    return after[0].status() == 201;
                });
                assertEquals(BoardEvents.event("task_created", "board-1", 2, "task", after[0].json()),
                        viewer.await(PostgresServerTest::isTaskEvent), "the refused change left no event");
            }
        }
    }
}
