package io.liveboard.ws;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rooms over WebSocket: a board's events reach exactly the sockets that joined it, and joins, leaves and
 * disconnects keep the viewer counts (and {@code /admin/connections}) right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsRoomsTest extends ServerTest {

    /** Every test closes its sockets; wait until the server saw them go so that counts start from zero. */
    @AfterEach
    void allSocketsGone() {
        Await.value("open WebSockets after the test", 0, () -> http.connections().path("websocket").asInt());
    }

    // Exercise 1: rooms isolate boards
    @Test
    void restTaskReachesEveryClientOfItsBoardAndNoClientOfAnotherBoard() {
        try (WsClient board1a = WsClient.connect(server, "/");
                WsClient board1b = WsClient.connect(server, "/");
                WsClient board2 = WsClient.connect(server, "/")) {
            assertEquals(object("type", "joined", "boardId", "board-1", "viewers", 1), WsClient.withoutPosition(board1a.join("board-1")));
            assertEquals(object("type", "joined", "boardId", "board-1", "viewers", 2), WsClient.withoutPosition(board1b.join("board-1")));
            assertEquals(object("type", "joined", "boardId", "board-2", "viewers", 1), WsClient.withoutPosition(board2.join("board-2")));

            JsonNode task1 = http.createTask("list-todo", "Ex1 on board one");
            assertEquals("board-1", task1.path("boardId").asText());
            JsonNode expected1 = event("task_created", "board-1", seqOf("board-1"), "task", task1);
            assertEquals(expected1, board1a.awaitType("task_created"));
            assertEquals(expected1, board1b.awaitType("task_created"));
            board2.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));

            JsonNode task2 = http.createTask("list-2-todo", "Ex1 on board two");
            assertEquals("board-2", task2.path("boardId").asText());
            assertEquals(event("task_created", "board-2", seqOf("board-2"), "task", task2),
                    board2.awaitType("task_created"));
            board1a.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));
            board1b.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));
        }
    }

    // Exercise 3: a disconnect shrinks the room
    @Test
    void disconnectTellsTheRoomAndShrinksAdminCounts() {
        String boardX = http.newBoard("Ex3 X");
        String boardY = http.newBoard("Ex3 Y");
        try (WsClient stays = WsClient.connect(server); WsClient other = WsClient.connect(server)) {
            WsClient goes = WsClient.connect(server);
            stays.join(boardX);
            goes.join(boardX);
            assertEquals(object("type", "user_joined", "boardId", boardX, "viewers", 2), WsClient.withoutUser(stays.awaitType("user_joined")));
            other.join(boardY);
            JsonNode before = http.connections();
            assertEquals(3, before.path("websocket").asInt());
            assertEquals(object("websocket", 2, "sse", 0), before.path("boards").path(boardX));
            assertEquals(object("websocket", 1, "sse", 0), before.path("boards").path(boardY));

            goes.close();

            assertEquals(object("type", "user_left", "boardId", boardX, "viewers", 1), WsClient.withoutUser(stays.awaitType("user_left")));
            Await.value("open WebSockets after the disconnect", 2, () -> http.connections().path("websocket").asInt());
            JsonNode after = http.connections();
            assertEquals(object("websocket", 1, "sse", 0), after.path("boards").path(boardX));
            assertEquals(object("websocket", 1, "sse", 0), after.path("boards").path(boardY));
            other.assertNoneBeforePong(m -> "user_left".equals(m.path("type").asText()));

            stays.close();
            Await.until("the emptied room is gone from /admin/connections",
                    () -> !http.connections().path("boards").has(boardX));
            assertEquals(1, http.connections().path("websocket").asInt());
        }
    }

    @Test
    void leaveAnswersLeftTellsOthersAndStopsTheLeaversEvents() {
        String board = http.newBoard("Leave");
        try (WsClient leaver = WsClient.connect(server); WsClient stays = WsClient.connect(server)) {
            leaver.join(board);
            stays.join(board);

            leaver.send("{\"type\":\"leave\",\"boardId\":\"" + board + "\"}");

            assertEquals(object("type", "left", "boardId", board), leaver.awaitType("left"));
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 1), WsClient.withoutUser(stays.awaitType("user_left")));
            assertEquals(object("websocket", 1, "sse", 0), http.connections().path("boards").path(board));

            JsonNode task = http.createTask(http.firstListOf(board), "after the leave");
            assertEquals(event("task_created", board, 1, "task", task), stays.awaitType("task_created"));
            leaver.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));
        }
    }

    @Test
    void aSocketJoiningRightAfterAnotherNeverHearsOfItWithAStaleCount() {
        for (int round = 0; round < 150; round++) {
            String board = http.newBoard("Back to back " + round);
            try (WsClient early = WsClient.connect(server); WsClient late = WsClient.connect(server)) {
                early.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
                late.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
                int lateViewers = late.awaitType("joined").path("viewers").asInt();
                // whatever order the joins were handled in, the late socket hears no announcement counting
                // fewer viewers than its own join saw
                late.assertNoneBeforePong(m -> "user_joined".equals(m.path("type").asText())
                        && m.path("viewers").asInt() < lateViewers);
            }
        }
    }

    @Test
    void joiningTwiceNeitherDoubleCountsNorReannounces() {
        String board = http.newBoard("Twice");
        try (WsClient first = WsClient.connect(server); WsClient twice = WsClient.connect(server)) {
            first.join(board);
            assertEquals(object("type", "joined", "boardId", board, "viewers", 2), WsClient.withoutPosition(twice.join(board)));
            assertEquals(object("type", "user_joined", "boardId", board, "viewers", 2), WsClient.withoutUser(first.awaitType("user_joined")));

            assertEquals(object("type", "joined", "boardId", board, "viewers", 2), WsClient.withoutPosition(twice.join(board)));

            // twice's own round trip ends after its join was fully handled, announcements included
            twice.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            first.assertNoneBeforePong(m -> "user_joined".equals(m.path("type").asText()));
            assertEquals(object("websocket", 2, "sse", 0), http.connections().path("boards").path(board));

            JsonNode task = http.createTask(http.firstListOf(board), "only once");
            assertEquals(event("task_created", board, 1, "task", task), twice.awaitType("task_created"));
            twice.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));

            twice.send("{\"type\":\"leave\",\"boardId\":\"" + board + "\"}");
            twice.awaitType("left");
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 1), WsClient.withoutUser(first.awaitType("user_left")));
            assertEquals(object("websocket", 1, "sse", 0), http.connections().path("boards").path(board));
        }
    }

    @Test
    void socketInTwoRoomsGetsTheEventsOfBoth() {
        String boardX = http.newBoard("Two rooms X");
        String boardY = http.newBoard("Two rooms Y");
        try (WsClient both = WsClient.connect(server);
                WsClient onlyX = WsClient.connect(server);
                WsClient onlyY = WsClient.connect(server)) {
            both.join(boardX);
            both.join(boardY);
            onlyX.join(boardX);
            onlyY.join(boardY);

            JsonNode onX = http.createTask(http.firstListOf(boardX), "on X");
            JsonNode onY = http.createTask(http.firstListOf(boardY), "on Y");

            JsonNode expectedX = event("task_created", boardX, 1, "task", onX);
            JsonNode expectedY = event("task_created", boardY, 1, "task", onY);
            assertEquals(expectedX, both.awaitType("task_created"));
            assertEquals(expectedY, both.awaitType("task_created"));
            assertEquals(expectedX, onlyX.awaitType("task_created"));
            assertEquals(expectedY, onlyY.awaitType("task_created"));
            onlyX.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));
            onlyY.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_"));

            both.close();
            assertEquals(object("type", "user_left", "boardId", boardX, "viewers", 1), WsClient.withoutUser(onlyX.awaitType("user_left")));
            assertEquals(object("type", "user_left", "boardId", boardY, "viewers", 1), WsClient.withoutUser(onlyY.awaitType("user_left")));
        }
    }

    @Test
    void joiningAnUnknownBoardIsAnErrorAndTheSocketStaysUsable() {
        String board = http.newBoard("After the unknown one");
        try (WsClient client = WsClient.connect(server)) {
            client.send("{\"type\":\"join\",\"boardId\":\"board-nope\"}");

            assertEquals(object("error", "Board not found: board-nope"), client.awaitError());
            assertFalse(http.connections().path("boards").has("board-nope"));
            client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            assertTrue(client.isOpen());
            assertEquals(object("type", "joined", "boardId", board, "viewers", 1), WsClient.withoutPosition(client.join(board)));
            JsonNode task = http.createTask(http.firstListOf(board), "still listening");
            assertEquals(event("task_created", board, 1, "task", task), client.awaitType("task_created"));
        }
    }

    @Test
    void rootAndWsPathsSpeakTheSameProtocol() {
        String board = http.newBoard("Paths");
        try (WsClient atRoot = WsClient.connect(server, "/"); WsClient atWs = WsClient.connect(server, "/ws")) {
            assertFalse(atRoot.socketId().isBlank());
            assertFalse(atWs.socketId().isBlank());
            assertNotEquals(atRoot.socketId(), atWs.socketId());

            assertEquals(object("type", "joined", "boardId", board, "viewers", 1), WsClient.withoutPosition(atRoot.join(board)));
            assertEquals(object("type", "joined", "boardId", board, "viewers", 2), WsClient.withoutPosition(atWs.join(board)));
            assertEquals(object("type", "user_joined", "boardId", board, "viewers", 2), WsClient.withoutUser(atRoot.awaitType("user_joined")));

            JsonNode task = http.createTask(http.firstListOf(board), "both paths");
            JsonNode expected = event("task_created", board, 1, "task", task);
            assertEquals(expected, atRoot.awaitType("task_created"));
            assertEquals(expected, atWs.awaitType("task_created"));
        }
    }

    // helpers

    private static int seqOf(String boardId) {
        return http.get("/boards/" + boardId).json().path("seq").asInt();
    }

    /** A board event as the server broadcasts it: type, boardId, seq and one payload field. */
    private static JsonNode event(String type, String boardId, int seq, String field, JsonNode value) {
        ObjectNode node = (ObjectNode) object("type", type, "boardId", boardId, "seq", seq);
        node.set(field, value);
        return node;
    }
}
