package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JS client's commands: a change shows in {@code state} at once (pending, a created task under a temporary
 * id), is confirmed by its ack (WebSocket) or REST answer (the other transports) with the task's real id and no
 * second copy, and a refused one is rolled back with the server's message; one whose answer is lost is sent
 * again with its key and applied once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientCommandsTest {

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start();
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse"})
    void aChangeIsShownAtOnceThenConfirmed(String transport) {
        String board = newBoard(transport);
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        String todo = lists.get(0).path("id").asText();
        String done = lists.get(2).path("id").asText();
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", board);
            page.awaitLive(transport);

            // the same moment as the call: the task is in the state, pending, under a temporary id
            JsonNode optimistic = page.run("""
                    window.created = board.createTask({ listId: %s, title: '  Mine  ', description: 'd' });
                    return board.state.lists[0].tasks;
                    """.formatted(quote(todo)));
            assertEquals(1, optimistic.size(), optimistic.toString());
            assertTrue(optimistic.get(0).path("id").asText().startsWith("tmp-"), optimistic.toString());
            assertTrue(optimistic.get(0).path("pending").asBoolean(), optimistic.toString());
            assertEquals("Mine", optimistic.get(0).path("title").asText());

            JsonNode task = page.call("return await created;").path("ok");
            String id = task.path("id").asText();
            assertEquals(http.get("/tasks/" + id).json(), task, "the promise gives the task as the server has it");
            JsonNode confirmed = page.state().path("lists").get(0).path("tasks");
            assertEquals(1, confirmed.size(), confirmed.toString());
            assertEquals(id, confirmed.get(0).path("id").asText());
            assertFalse(confirmed.get(0).has("pending"), confirmed.toString());
            assertEquals(List.of("pending:own", "confirmed:own"), kinds(page.log("changes")));
            JsonNode change = page.log("changes").get(2);
            assertEquals(id, change.path("taskId").asText());
            assertEquals(optimistic.get(0).path("id").asText(), change.path("tempId").asText());
            assertEquals(List.of("task_created:" + id), events(page.log("events")));

            // update, move, delete: each pending at once, then confirmed; the server has each
            JsonNode updated = page.call("return await board.updateTask(%s, { title: 'Mine, edited' });"
                    .formatted(quote(id))).path("ok");
            assertEquals("Mine, edited", updated.path("title").asText());
            JsonNode moved = page.call("return await board.moveTask(%s, { listId: %s });"
                    .formatted(quote(id), quote(done))).path("ok");
            assertEquals(done, moved.path("listId").asText());
            assertEquals(List.of("Mine, edited"), page.titles(done));
            assertEquals(done, http.get("/tasks/" + id).json().path("listId").asText());
            assertTrue(page.call("return await board.deleteTask(%s);".formatted(quote(id))).path("ok").isNull());
            assertEquals(List.of(), page.titles(done));
            assertEquals(404, http.get("/tasks/" + id).status());
            assertEquals(List.of("task_created:" + id, "task_updated:" + id, "task_moved:" + id, "task_deleted:" + id),
                    events(page.log("events")));
            assertEquals(List.of("pending:own", "confirmed:own", "pending:own", "confirmed:own", "pending:own",
                    "confirmed:own", "pending:own", "confirmed:own"), kinds(page.log("changes")));
            assertEquals(http.get("/boards/" + board).json().path("lists"), page.state().path("lists"));
            List<String> errors = page.consoleErrors();
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse"})
    void aRefusedChangeIsRolledBackWithTheServersMessage(String transport) {
        String board = newBoard(transport);
        String todo = http.get("/boards/" + board).json().path("lists").get(0).path("id").asText();
        String kept = http.post("/tasks", "{\"listId\":\"" + todo + "\",\"title\":\"Kept\"}").json().path("id").asText();
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", board);
            page.awaitLive(transport);
            JsonNode before = page.state();

            JsonNode unknownList = page.call("return await board.createTask({ listId: 'list-nope', title: 'Lost' });");
            assertEquals("List not found: list-nope", unknownList.path("error").asText(), unknownList.toString());
            assertEquals(404, unknownList.path("status").asInt());

            JsonNode pendingTitle = page.run("""
                    window.emptied = board.updateTask(%s, { title: '   ' });
                    return board.state.lists[0].tasks[0];
                    """.formatted(quote(kept)));
            assertEquals("", pendingTitle.path("title").asText(), "shown at once, before the server says no");
            JsonNode emptyTitle = page.call("return await emptied;");
            assertEquals("title is required", emptyTitle.path("error").asText(), emptyTitle.toString());
            assertEquals(400, emptyTitle.path("status").asInt());

            assertEquals(before.path("lists"), page.state().path("lists"), "back as it was");
            assertEquals(List.of("pending:own", "rolled_back:own", "pending:own", "rolled_back:own"),
                    kinds(page.log("changes")));
            assertEquals(0, page.log("events").size());
            assertEquals(List.of("Kept"), page.titles(todo));
            List<String> errors = page.consoleErrors();
            assertTrue(errors.stream().allMatch(e -> e.contains("status of 404") || e.contains("status of 400")),
                    "only the browser's own line for each refused request: " + errors);
        }
    }

    /**
     * The proxy forwards the command and cuts every connection before the answer can come back, then lets the
     * client reconnect: the command goes again with its key, the server answers with the first result, and the
     * task is on the board once, on the server and in the state, confirmed as the client's own without a second
     * card in between.
     */
    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse"})
    void aChangeWhoseAnswerIsLostIsAppliedOnce(String transport) {
        String board = newBoard("lost " + transport);
        String todo = http.get("/boards/" + board).json().path("lists").get(0).path("id").asText();
        try (TcpProxy proxy = TcpProxy.start(server.port()); ClientPage page = ClientPage.open(proxy.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", board);
            page.awaitLive(transport);

            // the command: over REST its request (not a presence read); a WebSocket frame is masked, but a ping
            // (about 20 bytes) is the only other thing the client sends now
            proxy.cutAfterNextClientSend(transport.equals("websocket") ? bytes -> bytes.length > 40
                    : bytes -> new String(bytes, StandardCharsets.ISO_8859_1).startsWith("POST /tasks"));
            page.run("window.lost = board.createTask({ listId: %s, title: 'Once only' });".formatted(quote(todo)));
            Await.until("the server made the task while the client was cut off", () -> titles(board).contains("Once only"));
            Await.until("the client knows it is cut off", () -> !"live".equals(page.status().path("state").asText()));
            JsonNode cut = page.state().path("lists").get(0).path("tasks");
            assertEquals(1, cut.size(), cut.toString());
            assertTrue(cut.get(0).path("pending").asBoolean(), "still pending: " + cut);
            proxy.allow();

            JsonNode task = page.call("return await lost;").path("ok");
            assertEquals(List.of("Once only"), titles(board), "once on the server");
            JsonNode tasks = page.state().path("lists").get(0).path("tasks");
            assertEquals(1, tasks.size(), "once in the state: " + tasks);
            assertEquals(task.path("id").asText(), tasks.get(0).path("id").asText());
            assertFalse(tasks.get(0).has("pending"));
            assertEquals(List.of("task_created:" + task.path("id").asText()), events(page.log("events")));
            assertEquals(List.of("pending:own", "confirmed:own"), kinds(page.log("changes")));
            page.awaitLive(transport);
            assertEquals(http.get("/boards/" + board).json().path("lists"), page.state().path("lists"));
        }
    }

    private static List<String> titles(String board) {
        List<String> titles = new ArrayList<>();
        http.get("/boards/" + board).json().path("lists").forEach(list -> list.path("tasks")
                .forEach(task -> titles.add(task.path("title").asText())));
        return titles;
    }

    private static String newBoard(String name) {
        return http.post("/boards", "{\"name\":\"Commands " + name + "\"}").json().path("id").asText();
    }

    static String quote(String text) {
        return io.liveboard.json.Json.write(text);
    }

    /** The changes after the snapshot, as kind:own. */
    static List<String> kinds(JsonNode changes) {
        List<String> kinds = new ArrayList<>();
        for (JsonNode change : changes) {
            if (!change.path("kind").asText().equals("snapshot")) {
                kinds.add(change.path("kind").asText() + (change.path("own").asBoolean() ? ":own" : ""));
            }
        }
        return kinds;
    }

    static List<String> events(JsonNode events) {
        List<String> list = new ArrayList<>();
        events.forEach(event -> list.add(event.path("type").asText() + ":"
                + (event.has("task") ? event.path("task").path("id").asText() : event.path("taskId").asText())));
        return list;
    }
}
