package io.liveboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lesson's "Try it", step by step: two sockets join board-1, a REST POST reaches both. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeedTranscriptTest extends ServerTest {

    @Test
    void twoTerminalsJoinAndBothSeeTheRestCreatedTask() {
        try (WsClient terminal1 = WsClient.connect(server, "/"); WsClient terminal2 = WsClient.connect(server, "/")) {
            terminal1.send("{\"type\":\"join\",\"boardId\":\"board-1\"}");
            JsonNode joined1 = terminal1.awaitType("joined");
            String epoch = http.epoch();
            assertEquals("{\"type\":\"joined\",\"boardId\":\"board-1\",\"viewers\":1,\"seq\":0,\"epoch\":\"" + epoch
                    + "\"}", joined1.toString());

            terminal2.send("{\"type\":\"join\",\"boardId\":\"board-1\"}");
            assertEquals("{\"type\":\"joined\",\"boardId\":\"board-1\",\"viewers\":2,\"seq\":0,\"epoch\":\"" + epoch
                    + "\"}", terminal2.awaitType("joined").toString());
            JsonNode userJoined = terminal1.awaitType("user_joined");
            assertEquals(2, userJoined.path("viewers").asInt());

            Http.Reply created = http.post("/tasks", "{\"title\":\"Live update!\",\"listId\":\"list-todo\"}");
            assertEquals(201, created.status());

            for (WsClient terminal : new WsClient[] {terminal1, terminal2}) {
                JsonNode event = terminal.awaitType("task_created");
                assertEquals(created.json(), event.path("task"));
                assertEquals("Live update!", event.path("task").path("title").asText());
            }
        }
    }
}
