package io.liveboard.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import io.liveboard.support.Writers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a position cannot be resumed from (older than the retention, here 5 events; ahead of the board; of
 * another database's epoch), every transport answers a {@code resync}: the whole board as of a seq, after
 * which the client goes on with the events after that seq and nothing missing, even under concurrent writes.
 * A position exactly at the retention's edge is still replayed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResyncTest {

    private static final int RETENTION = 5;
    private static final int EVENTS = 12;
    private static final Set<String> EVENT_TYPES =
            Set.of("task_created", "task_updated", "task_moved", "task_deleted", "list_created");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-fA-F]{8}");
    private static final String COMMENT = ":comment";

    private static TestServer server;
    private static Http http;
    private static String epoch;

    @BeforeAll
    static void startServerWithRetentionFive() throws IOException {
        server = TestServer.start(TestServer.fastConfig(
                Files.createTempDirectory("liveboard-resync").resolve("liveboard.db")).toBuilder().retention(RETENTION).build());
        http = new Http(server);
        epoch = epochOf(updates("board-1", "after=0"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The positions that cannot be served on a board with 12 events and a retention of 5, with their epoch. */
    private static List<Position> unservable() {
        return List.of(
                new Position(EVENTS - RETENTION - 1, null, "just older than the retention"),
                new Position(EVENTS - RETENTION - 1, epoch, "just older than the retention, with the epoch"),
                new Position(0, null, "from the beginning, long gone"),
                new Position(EVENTS + 1, null, "ahead of the board"),
                new Position(EVENTS + 1000, epoch, "far ahead of the board"),
                new Position(EVENTS, foreign(epoch), "up to date but of another epoch"),
                new Position(EVENTS - 2, foreign(epoch), "recent but of another epoch"));
    }

    private record Position(long seq, String epoch, String what) {
    }

    @Test
    void webSocketJoinFromAnUnservablePositionGetsJoinedThenResyncThenTheEventsAfterIt() {
        for (Position from : unservable()) {
            String board = boardWithTwelveEvents(from.what());
            try (WsClient client = WsClient.connect(server)) {
                client.send(join(board, from.seq(), from.epoch()));
                JsonNode joined = client.await(ResyncTest::isJoinedEventResyncOrError);
                assertEquals("joined", joined.path("type").asText(), from.what() + ": " + joined);
                assertEquals(epoch, joined.path("epoch").asText(), from.what());
                assertEquals(EVENTS, joined.path("seq").asLong(), from.what() + ": joined where the resync stands");
                assertEquals(expectedResync(board), client.await(ResyncTest::isJoinedEventResyncOrError), from.what());
                client.assertNoneBeforePong(ResyncTest::isJoinedEventResyncOrError);

                JsonNode task = http.createTask(http.firstListOf(board), "after the resync");
                assertEquals(BoardEvents.event("task_created", board, EVENTS + 1, "task", task),
                        client.await(ResyncTest::isJoinedEventResyncOrError), from.what());
            }
        }
    }

    @Test
    void webSocketJoinAtTheEdgeOfTheRetentionIsStillReplayed() {
        String board = boardWithTwelveEvents("WS edge");
        try (WsClient client = WsClient.connect(server)) {
            client.send(join(board, EVENTS - RETENTION, epoch));
            assertEquals("joined", client.await(ResyncTest::isJoinedEventResyncOrError).path("type").asText());
            for (long seq = EVENTS - RETENTION + 1; seq <= EVENTS; seq++) {
                JsonNode event = client.await(ResyncTest::isJoinedEventResyncOrError);
                assertEquals("task_created", event.path("type").asText(), event.toString());
                assertEquals(seq, event.path("seq").asLong());
            }
            client.assertNoneBeforePong(ResyncTest::isJoinedEventResyncOrError);
        }
    }

    @Test
    void sseFromAnUnservableLastEventIdGetsAResyncEventThenTheEventsAfterIt() {
        List<String> ids = new ArrayList<>();
        for (Position from : unservable()) {
            ids.add((from.epoch() == null ? "" : from.epoch() + "/") + from.seq());
        }
        for (int i = 0; i < ids.size(); i++) {
            String lastEventId = ids.get(i);
            String board = boardWithTwelveEvents("SSE " + lastEventId);
            boolean asHeader = i % 2 == 0;
            String path = "/boards/" + board + "/events" + (asHeader ? "" : "?lastEventId=" + lastEventId);
            try (SseClient sse = SseClient.open(server, path,
                    asHeader ? Map.of("Last-Event-ID", lastEventId) : Map.of())) {
                assertEquals(200, sse.status(), lastEventId);
                assertEquals(epoch, connectedOf(sse).path("epoch").asText());
                SseClient.Event resync = nextEvent(sse);
                assertEquals("resync", resync.event(), lastEventId + ": " + resync);
                assertEquals(epoch + "/" + EVENTS, resync.id(), lastEventId);
                assertEquals(expectedResync(board), resync.json(), lastEventId);

                JsonNode task = http.createTask(http.firstListOf(board), "after the resync");
                SseClient.Event next = nextEvent(sse);
                assertEquals(epoch + "/" + (EVENTS + 1), next.id(), lastEventId + ": nothing between the resync and it");
                assertEquals(BoardEvents.event("task_created", board, EVENTS + 1, "task", task), next.json(), lastEventId);
            }
        }
    }

    @Test
    void sseAtTheEdgeOfTheRetentionIsStillReplayed() {
        String board = boardWithTwelveEvents("SSE edge");
        try (SseClient sse = SseClient.open(server, "/boards/" + board + "/events",
                Map.of("Last-Event-ID", epoch + "/" + (EVENTS - RETENTION)))) {
            connectedOf(sse);
            for (long seq = EVENTS - RETENTION + 1; seq <= EVENTS; seq++) {
                SseClient.Event event = nextEvent(sse);
                assertEquals("task_created", event.event(), event.toString());
                assertEquals(epoch + "/" + seq, event.id());
            }
            JsonNode task = http.createTask(http.firstListOf(board), "after the replay");
            assertEquals(BoardEvents.event("task_created", board, EVENTS + 1, "task", task), nextEvent(sse).json());
        }
    }

    @Test
    void multiBoardStreamResyncsTheBoardItCannotResumeAndReplaysTheOther() {
        String a = boardWithTwelveEvents("SSE multi resync A");
        String b = boardWithTwelveEvents("SSE multi resync B");
        try (SseClient sse = SseClient.open(server, "/events?boards=" + a + "," + b,
                Map.of("Last-Event-ID", epoch + "/" + a + ":1," + b + ":10"))) {
            connectedOf(sse);
            Map<String, Long> position = new LinkedHashMap<>();
            position.put(a, 1L);
            position.put(b, 10L);
            boolean resynced = false;
            while (position.get(a) < EVENTS || position.get(b) < EVENTS) {
                SseClient.Event event = nextEvent(sse);
                JsonNode data = event.json();
                String board = data.path("boardId").asText();
                if ("resync".equals(event.event())) {
                    assertEquals(a, board, "only A is too old: " + event);
                    assertFalse(resynced, "one resync");
                    resynced = true;
                    assertEquals(expectedResync(a), data);
                } else {
                    assertEquals(b, board, "A's events come as the resync: " + event);
                    assertEquals(position.get(b) + 1, data.path("seq").asLong());
                }
                position.put(board, data.path("seq").asLong());
                assertEquals(epoch + "/" + a + ":" + position.get(a) + "," + b + ":" + position.get(b), event.id());
            }
            JsonNode task = http.createTask(http.firstListOf(a), "A after the resync");
            SseClient.Event next = nextEvent(sse);
            assertEquals(BoardEvents.event("task_created", a, EVENTS + 1, "task", task), next.json());
            assertEquals(epoch + "/" + a + ":" + (EVENTS + 1) + "," + b + ":" + EVENTS, next.id());
        }
    }

    @Test
    void pollingFromAnUnservablePositionAnswersNoEventsAndAResyncThenGoesOnFromIt() {
        for (Position from : unservable()) {
            String board = boardWithTwelveEvents("Poll " + from.what());
            String query = "after=" + from.seq() + (from.epoch() == null ? "" : "&epoch=" + from.epoch());
            for (String route : List.of("updates", "poll")) {
                long started = System.nanoTime();
                JsonNode body = "updates".equals(route) ? updates(board, query) : poll(board, query);
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertEquals(List.of(), list(body.path("events")), route + " " + from.what() + ": " + body);
                assertEquals(expectedResync(board), body.path("resync"), route + " " + from.what());
                assertFalse(body.path("timeout").asBoolean(), route + " " + from.what() + ": " + body);
                assertTrue(elapsedMillis < 1500, route + " answered after " + elapsedMillis + " ms: it waited");
            }
            JsonNode resumed = updates(board, "after=" + EVENTS + "&epoch=" + epoch);
            assertEquals(List.of(), list(resumed.path("events")), from.what());
            assertFalse(resumed.has("resync"), resumed.toString());
            JsonNode task = http.createTask(http.firstListOf(board), "after the resync");
            JsonNode next = updates(board, "after=" + EVENTS + "&epoch=" + epoch);
            assertEquals(List.of(BoardEvents.event("task_created", board, EVENTS + 1, "task", task)), list(next.path("events")));
        }
    }

    @Test
    void pollingAtTheEdgeOfTheRetentionIsStillReplayed() {
        String board = boardWithTwelveEvents("Poll edge");
        for (String route : List.of("updates", "poll")) {
            JsonNode body = "updates".equals(route) ? updates(board, "after=" + (EVENTS - RETENTION))
                    : poll(board, "after=" + (EVENTS - RETENTION));
            assertFalse(body.has("resync"), route + ": " + body);
            List<Long> seqs = new ArrayList<>();
            body.path("events").forEach(event -> seqs.add(event.path("seq").asLong()));
            assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs, route);
        }
    }

    /**
     * Under load: four writers create tasks without pause; a WebSocket viewer, an SSE stream and a short
     * poller start from 0 mid-stream (so a resync) and drop out long enough to fall out of the retention
     * again and again. Every resync's board is the board as of its seq (as many tasks as events, every
     * event being a create), and each client goes on from it with every later event, once and in order.
     */
    @Test
    void clientsResyncingDuringConcurrentWritesGoOnFromEachResyncWithoutAGap() throws Exception {
        String board = http.newBoard("Resync under load");
        ExecutorService pollerThread = Executors.newSingleThreadExecutor();
        Walk wsWalk = new Walk("WebSocket", board);
        Walk sseWalk = new Walk("SSE", board);
        Walk pollWalk = new Walk("short polls", board);
        WsClient ws = null;
        SseClient sse = null;
        String lastEventId = "0";
        try (Writers writers = new Writers(http, http.firstListOf(board))) {
            writers.start();
            writers.awaitMore(20);
            AtomicBoolean stopPolling = new AtomicBoolean();
            Future<?> poller = pollerThread.submit(() -> {
                while (!stopPolling.get() || pollWalk.position < pollWalk.last) {
                    JsonNode body = updates(board, "after=" + pollWalk.position + "&epoch=" + epoch);
                    if (body.has("resync")) {
                        assertEquals(List.of(), list(body.path("events")));
                        pollWalk.resync(body.path("resync"));
                    }
                    body.path("events").forEach(pollWalk::event);
                    if (pollWalk.resyncs < 3) {
                        // drop out long enough to fall out of the retention
                        writers.awaitMore(RETENTION + 5);
                    }
                }
                return null;
            });
            for (int round = 0; round < 4; round++) {
                ws = WsClient.connect(server);
                ws.send(join(board, wsWalk.position, epoch));
                assertEquals("joined", ws.await(ResyncTest::isJoinedEventResyncOrError).path("type").asText());
                sse = SseClient.open(server, "/boards/" + board + "/events", Map.of("Last-Event-ID", lastEventId));
                assertEquals(200, sse.status());
                connectedOf(sse);
                for (int i = 0; i < 10 + 5 * round; i++) {
                    wsWalk.take(ws.await(ResyncTest::isJoinedEventResyncOrError));
                    SseClient.Event event = nextEvent(sse);
                    sseWalk.take(event.json());
                    assertEquals(epoch + "/" + sseWalk.position, event.id());
                    lastEventId = event.id();
                }
                ws.close();
                sse.close();
                writers.awaitMore(RETENTION + 10);
            }
            ws = WsClient.connect(server);
            ws.send(join(board, wsWalk.position, epoch));
            assertEquals("joined", ws.await(ResyncTest::isJoinedEventResyncOrError).path("type").asText());
            sse = SseClient.open(server, "/boards/" + board + "/events", Map.of("Last-Event-ID", lastEventId));
            connectedOf(sse);
            writers.awaitMore(20);
            int created = writers.stop();
            long last = BoardEvents.seqOf(http, board);
            assertEquals(created, last, "one event per create");

            pollWalk.last = last;
            stopPolling.set(true);
            poller.get(30, TimeUnit.SECONDS);
            while (wsWalk.position < last) {
                wsWalk.take(ws.await(ResyncTest::isJoinedEventResyncOrError));
            }
            while (sseWalk.position < last) {
                sseWalk.take(nextEvent(sse).json());
            }
            for (Walk walk : List.of(wsWalk, sseWalk, pollWalk)) {
                assertEquals(last, walk.position, walk.name);
                assertTrue(walk.resyncs >= 1, walk.name + " was never resynced");
                assertTrue(walk.events >= 20, walk.name + " took only " + walk.events + " events");
            }
            ws.assertNoneBeforePong(ResyncTest::isJoinedEventResyncOrError);
        } finally {
            pollerThread.shutdownNow();
            if (ws != null) {
                ws.close();
            }
            if (sse != null) {
                sse.close();
            }
        }
    }

    // ---- helpers

    /**
     * A client's way through a board's events and resyncs: a resync moves it to the resync's seq (with the
     * board as of that seq), an event must be the one right after its position.
     */
    private static final class Walk {
        private final String name;
        private final String board;
        private volatile long position;
        private volatile long last = Long.MAX_VALUE;
        private int resyncs;
        private int events;

        Walk(String name, String board) {
            this.name = name;
            this.board = board;
        }

        void take(JsonNode message) {
            if ("resync".equals(message.path("type").asText())) {
                resync(message);
            } else {
                event(message);
            }
        }

        void resync(JsonNode resync) {
            assertEquals("resync", resync.path("type").asText(), name + ": " + resync);
            assertEquals(board, resync.path("boardId").asText(), name);
            assertEquals(epoch, resync.path("epoch").asText(), name);
            long seq = resync.path("seq").asLong();
            assertTrue(seq > position + RETENTION, name + ": resync at " + seq + " from " + position);
            JsonNode state = resync.path("board");
            assertEquals(board, state.path("id").asText(), name);
            assertEquals(seq, state.path("seq").asLong(), name + ": the resync's board is as of its seq");
            int tasks = 0;
            for (JsonNode list : state.path("lists")) {
                tasks += list.path("tasks").size();
            }
            assertEquals(seq, tasks, name + ": the board as of seq " + seq + " has as many tasks as creates");
            position = seq;
            resyncs++;
        }

        void event(JsonNode event) {
            assertTrue(EVENT_TYPES.contains(event.path("type").asText()), name + ": at " + position + " got " + event);
            assertEquals(board, event.path("boardId").asText(), name);
            assertEquals(position + 1, event.path("seq").asLong(), name + ": the event after " + position);
            position = event.path("seq").asLong();
            events++;
        }
    }

    /** A new board with 12 task_created events. */
    private static String boardWithTwelveEvents(String name) {
        String board = http.newBoard(name.length() > 150 ? name.substring(0, 150) : name);
        String list = http.firstListOf(board);
        for (int i = 1; i <= EVENTS; i++) {
            http.createTask(list, "event " + i);
        }
        assertEquals(EVENTS, BoardEvents.seqOf(http, board));
        return board;
    }

    /** The resync of a board that is not changing now: its whole state as {@code GET /boards/{id}} reads it. */
    private static JsonNode expectedResync(String board) {
        Http.Reply state = http.get("/boards/" + board);
        assertEquals(200, state.status(), state.body());
        ObjectNode resync = Json.MAPPER.createObjectNode().put("type", "resync").put("boardId", board)
                .put("seq", state.json().path("seq").asInt()).put("epoch", epoch);
        resync.set("board", state.json());
        return resync;
    }

    private static String foreign(String epoch) {
        String other = (epoch.charAt(0) == '0' ? "1" : "0") + epoch.substring(1);
        assertNotEquals(epoch, other);
        return other;
    }

    private static String join(String board, long since, String epoch) {
        ObjectNode join = Json.MAPPER.createObjectNode().put("type", "join").put("boardId", board).put("since", since);
        if (epoch != null) {
            join.put("epoch", epoch);
        }
        return join.toString();
    }

    private static boolean isJoinedEventResyncOrError(JsonNode message) {
        String type = message.path("type").asText();
        return "joined".equals(type) || "resync".equals(type) || EVENT_TYPES.contains(type) || message.has("error");
    }

    private static JsonNode connectedOf(SseClient sse) {
        sse.await(e -> e.retry() != null);
        SseClient.Event connected = sse.await(e -> !COMMENT.equals(e.event()));
        assertEquals("connected", connected.json().path("type").asText(), connected.toString());
        return connected.json();
    }

    private static SseClient.Event nextEvent(SseClient sse) {
        return sse.await(e -> !COMMENT.equals(e.event()));
    }

    private static JsonNode updates(String board, String query) {
        Http.Reply reply = http.get("/boards/" + board + "/updates?" + query);
        assertEquals(200, reply.status(), query + ": " + reply.body());
        return reply.json();
    }

    private static JsonNode poll(String board, String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.http("/boards/" + board + "/poll?" + query)))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.client().send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), query + ": " + response.body());
            return Json.parse(response.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("poll " + query, e);
        }
    }

    private static String epochOf(JsonNode body) {
        String epoch = body.path("epoch").asText();
        assertTrue(EPOCH.matcher(epoch).matches(), "epoch of " + body);
        return epoch;
    }

    private static List<JsonNode> list(JsonNode array) {
        assertTrue(array.isArray(), String.valueOf(array));
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

}
