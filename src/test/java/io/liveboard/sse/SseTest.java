package io.liveboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server-Sent Events: the stream's opening, board events with their ids, heartbeats, errors and cleanup. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseTest extends ServerTest {

    private static final String COMMENT = ":comment";

    @Test
    void boardStreamAnswersAsAnEventStreamThatStartsWithRetryAndConnected() {
        try (SseClient sse = SseClient.open(server, "/boards/board-1/events")) {
            assertEquals(200, sse.status());
            assertTrue(sse.header("Content-Type").startsWith("text/event-stream"), sse.header("Content-Type"));
            assertEquals("no-cache", sse.header("Cache-Control"));

            SseClient.Event retry = sse.await(e -> true);
            assertEquals(new SseClient.Event("message", null, null, "500"), retry);

            SseClient.Event connected = sse.await(e -> true);
            assertEquals(new SseClient.Event("message", null, "{\"type\":\"connected\",\"boards\":[\"board-1\"],\"epoch\":\"" + http.epoch() + "\"}", null),
                    connected);
        }
    }

    @Test
    void restChangesArriveAsNamedEventsWithTheBoardSeqAsId() {
        try (SseClient sse = openReady("/boards/board-1/events")) {
            long base = http.get("/boards/board-1").json().path("seq").asLong();

            Http.Reply created = http.post("/tasks", "{\"title\":\"Stream me\",\"listId\":\"list-todo\"}");
            assertEquals(201, created.status());
            String taskId = created.json().path("id").asText();
            Http.Reply updated = http.patch("/tasks/" + taskId, "{\"title\":\"Stream me again\"}");
            assertEquals(200, updated.status());
            Http.Reply moved = http.patch("/tasks/" + taskId + "/move", "{\"listId\":\"list-doing\",\"position\":0}");
            assertEquals(200, moved.status());
            assertEquals(204, http.delete("/tasks/" + taskId).status());

            assertBoardEvent(nextEvent(sse), "task_created", "board-1", base + 1, "task", created.json());
            assertBoardEvent(nextEvent(sse), "task_updated", "board-1", base + 2, "task", updated.json());
            assertBoardEvent(nextEvent(sse), "task_moved", "board-1", base + 3, "task", moved.json());
            assertBoardEvent(nextEvent(sse), "task_deleted", "board-1", base + 4, "taskId", Json.MAPPER.valueToTree(taskId));
            assertEquals(base + 4, http.get("/boards/board-1").json().path("seq").asLong());
        }
    }

    @Test
    void eventsOfAnotherBoardDoNotArriveOnABoardStream() {
        try (SseClient sse = openReady("/boards/board-1/events")) {
            Http.Reply other = http.post("/tasks", "{\"title\":\"Board two only\",\"listId\":\"list-2-todo\"}");
            assertEquals(201, other.status());
            Http.Reply mine = http.post("/tasks", "{\"title\":\"Board one marker\",\"listId\":\"list-todo\"}");
            assertEquals(201, mine.status());

            // events go out in commit order, so board-2's would come before this marker
            SseClient.Event next = nextEvent(sse);
            assertEquals("task_created", next.event());
            assertEquals("board-1", next.json().path("boardId").asText());
            assertEquals(mine.json(), next.json().path("task"));
        }
    }

    @Test
    void heartbeatCommentsArrivePeriodically() {
        try (SseClient sse = openReady("/boards/board-1/events")) {
            for (int i = 0; i < 3; i++) {
                SseClient.Event heartbeat = sse.await(e -> COMMENT.equals(e.event()), Duration.ofSeconds(3));
                assertEquals("heartbeat", heartbeat.data());
            }
        }
    }

    @Test
    void multiBoardStreamCarriesBothBoardsWithCompositeIdsThatAdvancePerBoard() {
        long seq1 = http.get("/boards/board-1").json().path("seq").asLong();
        long seq2 = http.get("/boards/board-2").json().path("seq").asLong();
        try (SseClient sse = SseClient.open(server, "/events?boards=board-1,board-2")) {
            assertEquals(200, sse.status());
            assertEquals(new SseClient.Event("message", null, null, "500"), sse.await(e -> true));
            assertEquals(new SseClient.Event("message", null,
                    "{\"type\":\"connected\",\"boards\":[\"board-1\",\"board-2\"],\"epoch\":\"" + http.epoch() + "\"}", null), sse.await(e -> true));

            Http.Reply a = http.post("/tasks", "{\"title\":\"Multi one\",\"listId\":\"list-todo\"}");
            Http.Reply b = http.post("/tasks", "{\"title\":\"Multi two\",\"listId\":\"list-2-todo\"}");
            Http.Reply c = http.post("/tasks", "{\"title\":\"Multi three\",\"listId\":\"list-doing\"}");

            // each board's events come in its order; the two boards' may interleave either way (the fan-out hands a
            // round's events out board by board), and every id is the position of both boards after its event
            Map<String, Long> position = new LinkedHashMap<>(Map.of("board-1", seq1, "board-2", seq2));
            List<JsonNode> board1 = new ArrayList<>();
            List<JsonNode> board2 = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SseClient.Event event = nextEvent(sse);
                String boardId = event.json().path("boardId").asText();
                position.put(boardId, event.json().path("seq").asLong());
                assertEquals("board-1:" + position.get("board-1") + ",board-2:" + position.get("board-2"),
                        event.position());
                (boardId.equals("board-1") ? board1 : board2).add(event.json());
            }
            assertEquals(List.of(boardEvent("task_created", "board-1", seq1 + 1, "task", a.json()),
                    boardEvent("task_created", "board-1", seq1 + 2, "task", c.json())), board1);
            assertEquals(List.of(boardEvent("task_created", "board-2", seq2 + 1, "task", b.json())), board2);
        }
    }

    @Test
    void unknownBoardStreamIsJsonNotFound() {
        Http.Reply reply = http.get("/boards/nope/events");
        assertEquals(404, reply.status());
        assertEquals("application/json", reply.header("Content-Type"));
        assertEquals("{\"error\":\"Board not found: nope\"}", reply.json().toString());
    }

    @Test
    void multiBoardStreamWithAnUnknownBoardIsJsonNotFound() {
        Http.Reply reply = http.get("/events?boards=board-1,nope");
        assertEquals(404, reply.status());
        assertEquals("{\"error\":\"Board not found: nope\"}", reply.json().toString());
    }

    @Test
    void multiBoardStreamWithoutBoardsIsBadRequest() {
        for (String path : List.of("/events", "/events?boards=", "/events?boards=,")) {
            Http.Reply reply = http.get(path);
            assertEquals(400, reply.status(), path);
            assertTrue(reply.json().path("error").asText().startsWith("boards is required"), reply.body());
        }
    }

    @Test
    void restChangeWithSocketIdStillReachesSseStreams() {
        try (WsClient ws = WsClient.connect(server); SseClient sse = openReady("/boards/board-1/events")) {
            ws.join("board-1");
            Http.Reply created = http.send("POST", "/tasks", "{\"title\":\"From a socket\",\"listId\":\"list-todo\"}",
                    ws.socketId());
            assertEquals(201, created.status());

            SseClient.Event event = nextEvent(sse);
            assertEquals("task_created", event.event());
            assertEquals(created.json(), event.json().path("task"));
            // the header was honoured: only the socket that made the change is spared
            ws.assertNoneBeforePong(m -> "task_created".equals(m.path("type").asText()));
        }
    }

    @Test
    void closedStreamDisappearsFromAdminConnections() {
        String boardId = createBoard("Watched and left");
        Await.value("sse streams left open by earlier tests", 0, () -> http.connections().path("sse").asInt());

        SseClient sse = openReady("/boards/" + boardId + "/events");
        JsonNode open = http.connections();
        assertEquals(1, open.path("sse").asInt());
        assertEquals(1, open.path("boards").path(boardId).path("sse").asInt());
        assertEquals(0, open.path("boards").path(boardId).path("websocket").asInt());

        sse.close();
        Await.until("the closed stream is forgotten", () -> {
            JsonNode now = http.connections();
            return now.path("sse").asInt() == 0 && !now.path("boards").has(boardId);
        });
    }

    @Test
    void concurrentStreamsEachReceiveEveryRapidCreateInOrderWithoutGapOrDuplicate() throws Exception {
        String boardId = createBoard("Rapid fire");
        String listId = http.get("/boards/" + boardId).json().path("lists").path(0).path("id").asText();
        List<SseClient> streams = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(5);
        try {
            for (int i = 0; i < 3; i++) {
                streams.add(openReady("/boards/" + boardId + "/events"));
            }
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String body = "{\"title\":\"Rapid " + i + "\",\"listId\":\"" + listId + "\"}";
                futures.add(senders.submit(() -> {
                    Http.Reply reply = http.post("/tasks", body);
                    assertEquals(201, reply.status(), reply.body());
                    return reply.json();
                }));
            }
            Map<String, JsonNode> created = new HashMap<>();
            for (Future<JsonNode> future : futures) {
                JsonNode task = future.get(30, TimeUnit.SECONDS);
                created.put(task.path("id").asText(), task);
            }
            assertEquals(50, created.size());

            for (SseClient sse : streams) {
                Map<String, JsonNode> received = new HashMap<>();
                for (long seq = 1; seq <= 50; seq++) {
                    SseClient.Event event = nextEvent(sse);
                    assertEquals("task_created", event.event());
                    assertEquals(String.valueOf(seq), event.position());
                    JsonNode task = event.json().path("task");
                    assertEquals(boardEvent("task_created", boardId, seq, "task", created.get(task.path("id").asText())),
                            event.json());
                    assertNull(received.put(task.path("id").asText(), task), "duplicate " + task);
                }
                assertEquals(created.keySet(), received.keySet());
            }

            Http.Reply last = http.post("/tasks", "{\"title\":\"After the burst\",\"listId\":\"" + listId + "\"}");
            for (SseClient sse : streams) {
                SseClient.Event event = nextEvent(sse);
                assertEquals("51", event.position(), "nothing between the 50th and the 51st event");
                assertEquals(last.json(), event.json().path("task"));
            }
        } finally {
            senders.shutdownNow();
            streams.forEach(SseClient::close);
        }
    }

    /** Opens a stream and reads its opening ({@code retry:} then {@code connected}), so that it has joined. */
    private static SseClient openReady(String path) {
        SseClient sse = SseClient.open(server, path);
        assertEquals(200, sse.status());
        assertEquals("500", sse.await(e -> e.retry() != null).retry());
        SseClient.Event connected = sse.await(e -> !COMMENT.equals(e.event()));
        assertEquals("connected", connected.json().path("type").asText());
        return sse;
    }

    /** The next event that is not a comment (heartbeat). */
    private static SseClient.Event nextEvent(SseClient sse) {
        return sse.await(e -> !COMMENT.equals(e.event()));
    }

    private static void assertBoardEvent(SseClient.Event event, String type, String boardId, long seq, String field,
            JsonNode value) {
        assertEquals(type, event.event());
        assertEquals(String.valueOf(seq), event.position());
        assertNull(event.retry());
        assertEquals(boardEvent(type, boardId, seq, field, value), event.json());
    }

    private static JsonNode boardEvent(String type, String boardId, long seq, String field, JsonNode value) {
        assertNotNull(value, "no expected " + field);
        ObjectNode expected = Json.MAPPER.createObjectNode();
        expected.put("type", type);
        expected.put("boardId", boardId);
        expected.put("seq", Math.toIntExact(seq));
        expected.set(field, value);
        return expected;
    }

    private static String createBoard(String name) {
        Http.Reply board = http.post("/boards", Json.write(Map.of("name", name)));
        assertEquals(201, board.status(), board.body());
        String id = board.json().path("id").asText();
        assertFalse(id.isEmpty());
        return id;
    }

}
