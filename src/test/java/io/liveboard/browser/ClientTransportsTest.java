package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JS client on each transport, forced with its {@code transports} option: the snapshot, then the changes made
 * over REST applied to {@code state} in seq order (positions renumbered after moves and deletes), each event
 * told once, and the state at the end the server's own; a listener that throws does not keep the others from
 * hearing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientTransportsTest {

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
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void followsABoardLive(String transport) {
        String board = http.post("/boards", "{\"name\":\"Over " + transport + "\"}").json().path("id").asText();
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        String todo = lists.get(0).path("id").asText();
        String done = lists.get(2).path("id").asText();
        String a = createTask(todo, "A");
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", board);
            page.awaitLive(transport);
            assertEquals(List.of("A"), page.titles(todo));
            assertEquals("snapshot", page.log("changes").get(0).path("kind").asText());

            String b = createTask(todo, "B");
            String c = createTask(todo, "C");
            Await.value("To Do after two creates", List.of("A", "B", "C"), () -> page.titles(todo));
            http.patch("/tasks/" + b + "/move", "{\"listId\":\"" + done + "\"}");
            http.delete("/tasks/" + a);
            http.patch("/tasks/" + c + "/move", "{\"listId\":\"" + done + "\",\"position\":0}");
            http.patch("/tasks/" + b, "{\"title\":\"B, edited\"}");
            Await.value("Done after the moves", List.of("C", "B, edited"), () -> page.titles(done));
            assertEquals(List.of(), page.titles(todo));

            JsonNode server = http.get("/boards/" + board).json();
            Await.value("the client's state is the server's board", lists(server), () -> lists(page.state()));
            assertEquals(server.path("seq").asLong(), page.state().path("seq").asLong());

            List<String> events = new ArrayList<>();
            long seq = 1; // the board's first event was A's creation, in the snapshot
            for (JsonNode event : page.log("events")) {
                assertEquals(++seq, event.path("seq").asLong(), "events in seq order, each once: " + page.log("events"));
                events.add(event.path("type").asText());
            }
            assertEquals(List.of("task_created", "task_created", "task_moved", "task_deleted", "task_moved",
                    "task_updated"), events);
            assertEquals(transport, page.status().path("transport").asText());
            List<String> errors = page.consoleErrors();
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST, "board-1");
            page.run("""
                    window.heard = [];
                    board.on('event', () => { throw new Error('a broken listener'); });
                    board.on('event', (e) => heard.push(e.seq));
                    """);
            page.awaitLive("websocket");
            createTask("list-doing", "Heard");
            Await.until("the second listener heard the event", () -> page.run("return heard;").size() == 1);
            assertEquals(List.of("Heard"), page.titles("list-doing"));
            List<String> errors = page.consoleErrors();
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("a broken listener"), errors.toString());
        }
    }

    private static String createTask(String listId, String title) {
        return http.post("/tasks", "{\"listId\":\"" + listId + "\",\"title\":\"" + title + "\"}").json().path("id")
                .asText();
    }

    /** The lists with their tasks as the server has them, every field (the board's own fields aside). */
    static JsonNode lists(JsonNode board) {
        return board.path("lists");
    }
}
