package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --auth off} (the default): the lesson's flow works as before, without tokens, everyone a guest. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthOffTest extends ServerTest {

    @Test
    void theSeedFlowWorksWithoutTokensAndEveryoneIsAGuest() {
        try (WsClient terminal1 = WsClient.connect(server, "/"); WsClient terminal2 = WsClient.connect(server, "/")) {
            JsonNode connected = terminal1.drain().get(0);
            assertFalse(connected.has("user"), connected.toString());
            JsonNode guest1 = guest(terminal1.socketId());
            JsonNode guest2 = guest(terminal2.socketId());

            assertEquals(1, terminal1.join("board-1").path("viewers").asInt());
            JsonNode presence = terminal1.awaitType("presence");
            assertEquals("[" + guest1 + "]", presence.path("users").toString());

            assertEquals(2, terminal2.join("board-1").path("viewers").asInt());
            JsonNode joined = terminal1.awaitType("user_joined");
            assertEquals(guest2, joined.path("user"));
            assertEquals(2, joined.path("viewers").asInt());

            try (SseClient viewer = SseClient.open(server, "/boards/board-1/events")) {
                assertEquals(200, viewer.status());
                viewer.await(e -> e.data() != null && e.data().contains("\"connected\""));
                Await.until("three guests viewing board-1",
                        () -> http.get("/boards/board-1/presence").json().path("users").size() == 3);

                List<String> boards = AuthHttpTest.ids(http.get("/boards").json());
                assertTrue(boards.containsAll(List.of("board-1", "board-2")), boards.toString());
                Http.Reply created = http.post("/tasks", "{\"title\":\"Live update!\",\"listId\":\"list-todo\"}");
                assertEquals(201, created.status(), created.body());
                for (WsClient terminal : List.of(terminal1, terminal2)) {
                    assertEquals(created.json(), terminal.awaitType("task_created").path("task"));
                }
                assertEquals(created.json(), viewer.awaitEvent("task_created").json().path("task"));
            }

            terminal2.send("{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"From the socket\",\"ref\":\"r1\"}");
            assertEquals("ack", terminal2.awaitType("ack").path("type").asText());
            assertEquals("From the socket", terminal1.awaitType("task_created").path("task").path("title").asText());
            assertEquals(200, http.get("/admin/connections").status());
        }
    }

    private static JsonNode guest(String socketId) {
        String tag = socketId.substring(0, 8);
        return AuthWebSocketTest.user("guest-" + tag, "Guest " + tag);
    }
}
