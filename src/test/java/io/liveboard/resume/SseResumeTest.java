package io.liveboard.resume;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import io.liveboard.support.Writers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming an SSE stream (issue 4): ids are {@code epoch/seq} (several boards: {@code epoch/a:12,b:4}), and a
 * stream opened with {@code Last-Event-ID} (or {@code ?lastEventId=}) replays what came after it and goes on
 * live, with nothing lost or doubled at the seam even while writers keep the board busy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseResumeTest extends ServerTest {

    private static final Set<String> EVENT_TYPES =
            Set.of("task_created", "task_updated", "task_moved", "task_deleted", "list_created");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-fA-F]{8}");
    private static final String COMMENT = ":comment";

    @Test
    void streamOpensWithConnectedCarryingTheEpochAndEventIdsAreEpochSlashSeq() {
        String board = http.newBoard("SSE ids");
        String list = http.firstListOf(board);
        http.createTask(list, "before the stream");
        try (SseClient sse = SseClient.open(server, "/boards/" + board + "/events")) {
            assertEquals(200, sse.status());
            assertEquals("500", sse.await(e -> true).retry());
            SseClient.Event connected = sse.await(e -> !COMMENT.equals(e.event()));
            assertEquals("message", connected.event());
            assertNull(connected.id());
            String epoch = epochOf(connected.json());
            assertEquals(object("type", "connected", "boards", List.of(board), "epoch", epoch), connected.json());

            JsonNode task = http.createTask(list, "after the opening");
            SseClient.Event event = nextEvent(sse);
            assertEquals("task_created", event.event());
            assertEquals(epoch + "/2", event.id());
            assertEquals(BoardEvents.event("task_created", board, 2, "task", task), event.json());
            // without Last-Event-ID nothing was replayed: the first event is the live one
        }
    }

    @Test
    void lastEventIdHeaderReplaysWhatCameAfterItThenGoesOnLive() {
        String epoch = epochOfServer();
        for (boolean withEpoch : List.of(true, false)) {
            String board = http.newBoard("SSE header resume " + withEpoch);
            List<JsonNode> made = BoardEvents.everyKind(http, board);
            String lastEventId = withEpoch ? epoch + "/2" : "2";
            try (SseClient sse = openReady("/boards/" + board + "/events", Map.of("Last-Event-ID", lastEventId))) {
                for (int seq = 3; seq <= 6; seq++) {
                    assertBoardEvent(nextEvent(sse), epoch, made.get(seq - 1));
                }
                assertNothingMoreBefore(sse, board, 7, lastEventId);
            }
        }
    }

    @Test
    void lastEventIdQueryParameterResumesLikeTheHeader() {
        String epoch = epochOfServer();
        for (boolean withEpoch : List.of(true, false)) {
            String board = http.newBoard("SSE query resume " + withEpoch);
            List<JsonNode> made = BoardEvents.everyKind(http, board);
            String lastEventId = withEpoch ? epoch + "/4" : "4";
            String path = "/boards/" + board + "/events?lastEventId=" + encode(lastEventId);
            try (SseClient sse = openReady(path, Map.of())) {
                assertBoardEvent(nextEvent(sse), epoch, made.get(4));
                assertBoardEvent(nextEvent(sse), epoch, made.get(5));
                assertNothingMoreBefore(sse, board, 7, lastEventId);
            }
        }
    }

    @Test
    void theHeaderWinsOverTheQueryParameter() {
        String board = http.newBoard("SSE header wins");
        List<JsonNode> made = BoardEvents.everyKind(http, board);
        String epoch = epochOfServer();
        try (SseClient sse = openReady("/boards/" + board + "/events?lastEventId=1",
                Map.of("Last-Event-ID", epoch + "/5"))) {
            assertBoardEvent(nextEvent(sse), epoch, made.get(5));
            assertNothingMoreBefore(sse, board, 7, "header 5, query 1");
        }
    }

    @Test
    void resumingFromTheLastIdReplaysNothing() {
        String board = http.newBoard("SSE up to date");
        BoardEvents.everyKind(http, board);
        String epoch = epochOfServer();
        try (SseClient sse = openReady("/boards/" + board + "/events", Map.of("Last-Event-ID", epoch + "/6"))) {
            assertNothingMoreBefore(sse, board, 7, "at the end");
        }
    }

    @Test
    void replayedEventsHaveTheSameNameIdAndDataAsTheLiveOnesAndAsTheWebSocketBroadcasts() {
        String board = http.newBoard("SSE replay equals live");
        List<SseClient.Event> live = new ArrayList<>();
        List<JsonNode> broadcasts = new ArrayList<>();
        try (SseClient sse = openReady("/boards/" + board + "/events", Map.of()); WsClient ws = WsClient.connect(server)) {
            ws.join(board);
            List<JsonNode> made = BoardEvents.everyKind(http, board);
            for (JsonNode expected : made) {
                SseClient.Event event = nextEvent(sse);
                assertEquals(expected, event.json());
                live.add(event);
                broadcasts.add(ws.await(m -> EVENT_TYPES.contains(m.path("type").asText())));
            }
            assertEquals(made, broadcasts);
        }
        try (SseClient late = openReady("/boards/" + board + "/events", Map.of("Last-Event-ID", "0"))) {
            for (SseClient.Event expected : live) {
                SseClient.Event replayed = nextEvent(late);
                assertEquals(expected.event(), replayed.event());
                assertEquals(expected.id(), replayed.id());
                assertEquals(expected.json(), replayed.json());
            }
        }
    }

    @Test
    void multiBoardStreamResumesEveryBoardFromItsOwnPositionAndStartsLiveTheBoardsNotInTheId() {
        String epoch = epochOfServer();
        for (boolean withEpoch : List.of(true, false)) {
            String a = http.newBoard("SSE multi A " + withEpoch);
            String b = http.newBoard("SSE multi B " + withEpoch);
            List<JsonNode> madeA = BoardEvents.everyKind(http, a);
            List<JsonNode> madeB = BoardEvents.everyKind(http, b);
            String path = "/events?boards=" + a + "," + b;
            String lastEventId = (withEpoch ? epoch + "/" : "") + a + ":4," + b + ":2";
            // with the epoch as the header, without it as the query parameter
            try (SseClient sse = withEpoch ? openReady(path, Map.of("Last-Event-ID", lastEventId))
                    : openReady(path + "&lastEventId=" + encode(lastEventId), Map.of())) {
                Map<String, List<JsonNode>> got = Map.of(a, new ArrayList<>(), b, new ArrayList<>());
                Map<String, Long> position = new LinkedHashMap<>(Map.of(a, 4L, b, 2L));
                for (int i = 0; i < 2 + 4; i++) {
                    SseClient.Event event = nextEvent(sse);
                    JsonNode data = event.json();
                    got.get(data.path("boardId").asText()).add(data);
                    position.put(data.path("boardId").asText(), data.path("seq").asLong());
                    // every id carries both boards' positions, in the stream's order
                    assertEquals(epoch + "/" + a + ":" + position.get(a) + "," + b + ":" + position.get(b), event.id());
                }
                assertEquals(madeA.subList(4, 6), got.get(a), lastEventId);
                assertEquals(madeB.subList(2, 6), got.get(b), lastEventId);
                JsonNode task = http.createTask(http.firstListOf(a), "live on A after " + lastEventId);
                SseClient.Event next = nextEvent(sse);
                assertEquals(epoch + "/" + a + ":" + BoardEvents.seqOf(http, a) + "," + b + ":6", next.id());
                assertEquals(BoardEvents.event("task_created", a, BoardEvents.seqOf(http, a), "task", task), next.json());
            }
        }

        // B is missing from the id: A resumes, B starts live
        String a = http.newBoard("SSE multi A, B live");
        String b = http.newBoard("SSE multi B, B live");
        List<JsonNode> madeA = BoardEvents.everyKind(http, a);
        BoardEvents.everyKind(http, b);
        try (SseClient sse = openReady("/events?boards=" + a + "," + b, Map.of("Last-Event-ID", epoch + "/" + a + ":5"))) {
            SseClient.Event replayed = nextEvent(sse);
            assertEquals(madeA.get(5), replayed.json());
            assertEquals(epoch + "/" + a + ":6," + b + ":6", replayed.id());
            JsonNode task = http.createTask(http.firstListOf(b), "live on B");
            SseClient.Event live = nextEvent(sse);
            assertEquals(BoardEvents.event("task_created", b, 7, "task", task), live.json(), "nothing of B was replayed");
            assertEquals(epoch + "/" + a + ":6," + b + ":7", live.id());
        }
    }

    @Test
    void malformedLastEventIdIsBadRequestWithAJsonError() {
        String board = http.newBoard("SSE bad ids");
        http.createTask(http.firstListOf(board), "one");
        List<String> malformed = List.of("abc", "-1", "1.5", "3x", "12345678/", "12345678/abc", "1/2/3", board + ":x");
        for (String id : malformed) {
            assertBadRequest("/boards/" + board + "/events", id, true);
            assertBadRequest("/boards/" + board + "/events?lastEventId=" + encode(id), null, false);
        }
        String multi = "/events?boards=board-1," + board;
        for (String id : List.of("board-1:", "board-1:x", "board-1:-2", "board-1:3,board-2",
                "12345678/board-1:1.5", "nope:x", "board-1:3;board-2:1", "a b:3")) {
            assertBadRequest(multi, id, true);
            assertBadRequest(multi + "&lastEventId=" + encode(id), null, false);
        }
        // the stream still works for a good id
        try (SseClient sse = openReady("/boards/" + board + "/events", Map.of("Last-Event-ID", "0"))) {
            assertEquals(1, nextEvent(sse).json().path("seq").asLong());
        }
    }

    /**
     * The seam under load: four writers create tasks without pause; streams open from the start, with
     * {@code Last-Event-ID: 0} mid-stream, and two drop and reconnect again and again (one sending back the
     * exact id it last got, as a browser does, the other the plain seq as {@code ?lastEventId=}); every round
     * one more opens mid-stream from the board's seq or a little behind it. Once the writers stop, each has
     * every event from where it started, once and in order, and every id is {@code epoch/seq}.
     */
    @Test
    void streamsResumingDuringConcurrentWritesGetEveryEventOnceInOrder() throws Exception {
        String board = http.newBoard("SSE seam under load");
        String path = "/boards/" + board + "/events";
        List<Stream> streams = new ArrayList<>();
        try (Writers writers = new Writers(http, List.of(http.firstListOf(board)))) {
            Stream live = new Stream(path, "live from the start", Resume.NONE);
            streams.add(live);
            live.open();
            Stream byHeader = new Stream(path, "reconnects with Last-Event-ID", Resume.HEADER);
            streams.add(byHeader);
            byHeader.open();
            Stream byQuery = new Stream(path, "reconnects with ?lastEventId=", Resume.QUERY);
            streams.add(byQuery);
            byQuery.open();

            writers.start();
            writers.awaitMore(30);
            Stream fromZero = new Stream(path, "Last-Event-ID 0 mid-stream", Resume.HEADER);
            streams.add(fromZero);
            fromZero.lastId = "0";
            fromZero.open();

            for (int round = 0; round < 6; round++) {
                for (Stream hopper : List.of(byHeader, byQuery)) {
                    hopper.read(10 + 4 * round);
                    hopper.disconnect();
                }
                if (round % 2 == 0) {
                    writers.awaitMore(15);
                }
                byHeader.open();
                byQuery.open();
                // and one more stream opens mid-stream, from the board's seq (read just before) or 3 behind it
                Stream late = new Stream(path, "Last-Event-ID " + (round % 2 == 0 ? "the board's seq" : "3 behind")
                        + ", round " + round, Resume.HEADER);
                streams.add(late);
                late.lastId = String.valueOf(Math.max(0, BoardEvents.seqOf(http, board) - (round % 2 == 0 ? 0 : 3)));
                late.open();
            }
            writers.awaitMore(20);
            int created = writers.stop();

            long last = BoardEvents.seqOf(http, board);
            assertEquals(created, last, "one event per create");
            for (Stream stream : streams) {
                stream.readUntil(Map.of(board, last));
                stream.assertGotEveryEvent(Map.of(board, last));
            }
            // and nothing more: the next thing on every stream is the next event
            http.createTask(http.firstListOf(board), "marker");
            for (Stream stream : streams) {
                stream.readUntil(Map.of(board, last + 1));
            }
        } finally {
            streams.forEach(Stream::close);
        }
    }

    @Test
    void multiBoardStreamResumingDuringConcurrentWritesOnBothBoardsGetsEveryEventOfEachOnceInOrder()
            throws Exception {
        String a = http.newBoard("SSE multi seam A");
        String b = http.newBoard("SSE multi seam B");
        String path = "/events?boards=" + a + "," + b;
        List<Stream> streams = new ArrayList<>();
        try (Writers writers = new Writers(http, List.of(http.firstListOf(a), http.firstListOf(b)))) {
            Stream hopper = new Stream(path, "multi, reconnects with Last-Event-ID", Resume.HEADER);
            streams.add(hopper);
            hopper.open();
            writers.start();
            writers.awaitMore(20);
            Stream fromZero = new Stream(path, "multi, both from 0 mid-stream", Resume.HEADER);
            streams.add(fromZero);
            fromZero.lastId = a + ":0," + b + ":0";
            fromZero.open();
            for (int round = 0; round < 5; round++) {
                hopper.read(15 + 5 * round);
                hopper.disconnect();
                if (round % 2 == 0) {
                    writers.awaitMore(20);
                }
                hopper.open();
            }
            writers.awaitMore(20);
            int created = writers.stop();

            Map<String, Long> last = Map.of(a, BoardEvents.seqOf(http, a), b, BoardEvents.seqOf(http, b));
            assertEquals(created, last.get(a) + last.get(b), "one event per create");
            for (Stream stream : streams) {
                stream.readUntil(last);
                stream.assertGotEveryEvent(last);
            }
            // and nothing more: the next thing on every stream is the next event of each board
            http.createTask(http.firstListOf(a), "marker A");
            http.createTask(http.firstListOf(b), "marker B");
            for (Stream stream : streams) {
                stream.readUntil(Map.of(a, last.get(a) + 1, b, last.get(b) + 1));
            }
        } finally {
            streams.forEach(Stream::close);
        }
    }

    // ---- helpers

    private enum Resume { NONE, HEADER, QUERY }

    /**
     * An SSE client of one stream that keeps, per board, the seq of every event it got and reconnects as
     * {@code resume} says: with the exact id it last got as {@code Last-Event-ID} (what a browser does), or
     * with the plain seq (one board) as {@code ?lastEventId=}.
     */
    private static final class Stream implements AutoCloseable {
        private final String path;
        private final String name;
        private final Resume resume;
        private final Map<String, Long> start = new LinkedHashMap<>();
        private final Map<String, Long> position = new LinkedHashMap<>();
        private final Map<String, List<Long>> seqs = new LinkedHashMap<>();
        private SseClient sse;
        private String lastId;
        private String epoch;
        private List<String> boards;

        Stream(String path, String name, Resume resume) {
            this.path = path;
            this.name = name;
            this.resume = resume;
        }

        void open() {
            boolean fresh = boards == null;
            if (!fresh && resume == Resume.QUERY) {
                assertEquals(1, boards.size(), "plain seq resumes are for one-board streams");
                sse = openStream(path + "?lastEventId=" + position.get(boards.get(0)), Map.of());
            } else if (lastId != null && resume != Resume.NONE) {
                sse = openStream(path, Map.of("Last-Event-ID", lastId));
            } else {
                assertTrue(fresh, name + " cannot resume");
                sse = openStream(path, Map.of());
            }
            JsonNode connected = connectedOf(sse);
            String connectedEpoch = epochOf(connected);
            if (epoch != null) {
                assertEquals(epoch, connectedEpoch, name);
            }
            epoch = connectedEpoch;
            List<String> announced = new ArrayList<>();
            connected.path("boards").forEach(board -> announced.add(board.asText()));
            if (fresh) {
                boards = announced;
                for (String board : boards) {
                    // a fresh stream starts from the id it was given, or live: from the board's seq now (which
                    // is only where it starts while nothing is being written)
                    long from = lastId == null ? BoardEvents.seqOf(http, board) : positionIn(lastId, board);
                    start.put(board, from);
                    position.put(board, from);
                    seqs.put(board, new ArrayList<>());
                }
            } else {
                assertEquals(boards, announced, name);
            }
        }

        void disconnect() {
            sse.close();
            sse = null;
        }

        /** Takes the next event, which must be the one right after its board's position. */
        void next() {
            SseClient.Event event = nextEvent(sse);
            assertTrue(EVENT_TYPES.contains(event.event()), name + ": at " + position + " got " + event);
            JsonNode data = event.json();
            String board = data.path("boardId").asText();
            assertTrue(position.containsKey(board), name + ": event of another board " + event);
            long seq = data.path("seq").asLong();
            seqs.get(board).add(seq);
            assertEquals(position.get(board) + 1, seq, name + ": the event of " + board + " after " + position);
            assertEquals(event.event(), data.path("type").asText(), name);
            position.put(board, seq);
            assertEquals(epoch + "/" + idOf(position), event.id(), name + ": id of " + event);
            lastId = event.id();
        }

        void read(int events) {
            for (int i = 0; i < events; i++) {
                next();
            }
        }

        void readUntil(Map<String, Long> last) {
            while (last.entrySet().stream().anyMatch(e -> position.get(e.getKey()) < e.getValue())) {
                next();
            }
        }

        void assertGotEveryEvent(Map<String, Long> last) {
            for (String board : boards) {
                List<Long> expected = LongStream.rangeClosed(start.get(board) + 1, last.get(board)).boxed().toList();
                assertEquals(expected, seqs.get(board), name + " on " + board);
            }
        }

        /** The id as this stream's kind writes it: the seq (one board) or {@code a:12,b:4}. */
        private String idOf(Map<String, Long> positions) {
            if (boards.size() == 1) {
                return String.valueOf(positions.get(boards.get(0)));
            }
            List<String> parts = new ArrayList<>();
            boards.forEach(board -> parts.add(board + ":" + positions.get(board)));
            return String.join(",", parts);
        }

        private long positionIn(String id, String board) {
            String bare = id.contains("/") ? id.substring(id.indexOf('/') + 1) : id;
            if (!bare.contains(":")) {
                return Long.parseLong(bare);
            }
            for (String part : bare.split(",")) {
                String[] pair = part.split(":");
                if (pair[0].equals(board)) {
                    return Long.parseLong(pair[1]);
                }
            }
            throw new AssertionError("no position of " + board + " in " + id);
        }

        @Override
        public void close() {
            if (sse != null) {
                sse.close();
            }
        }
    }

    private static SseClient openStream(String path, Map<String, String> headers) {
        SseClient sse = SseClient.open(server, path, headers);
        assertEquals(200, sse.status(), path + " " + headers);
        return sse;
    }

    /** Opens a stream and reads its opening ({@code retry:} then {@code connected}). */
    private static SseClient openReady(String path, Map<String, String> headers) {
        SseClient sse = openStream(path, headers);
        connectedOf(sse);
        return sse;
    }

    private static JsonNode connectedOf(SseClient sse) {
        assertEquals("500", sse.await(e -> e.retry() != null).retry());
        SseClient.Event connected = sse.await(e -> !COMMENT.equals(e.event()));
        assertEquals("message", connected.event(), connected.toString());
        assertEquals("connected", connected.json().path("type").asText());
        return connected.json();
    }

    /** The next event that is not a heartbeat. */
    private static SseClient.Event nextEvent(SseClient sse) {
        return sse.await(e -> !COMMENT.equals(e.event()));
    }

    private static void assertBoardEvent(SseClient.Event event, String epoch, JsonNode expected) {
        assertEquals(expected.path("type").asText(), event.event());
        assertEquals(epoch + "/" + expected.path("seq").asLong(), event.id());
        assertNull(event.retry());
        assertEquals(expected, event.json());
    }

    /** Nothing but heartbeats came: the next event on the stream is a new one, with the seq given. */
    private static void assertNothingMoreBefore(SseClient sse, String board, long seq, String what) {
        JsonNode task = http.createTask(http.firstListOf(board), "marker " + seq);
        SseClient.Event next = nextEvent(sse);
        assertEquals(BoardEvents.event("task_created", board, seq, "task", task), next.json(), what);
    }

    private static void assertBadRequest(String path, String lastEventId, boolean asHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .timeout(Duration.ofSeconds(10)).header("Accept", "text/event-stream").GET();
        if (asHeader) {
            request.header("Last-Event-ID", lastEventId);
        }
        String what = path + (asHeader ? " with Last-Event-ID " + lastEventId : "");
        HttpResponse<InputStream> response;
        try {
            response = http.client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(what, e);
        }
        try (InputStream body = response.body()) {
            // a stream that was accepted would never end: read its body only if it was refused
            assertEquals(400, response.statusCode(), what + ": accepted as a stream");
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
            JsonNode json = Json.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(json.path("error").isTextual() && !json.path("error").asText().isBlank(), what + ": " + json);
        } catch (IOException e) {
            throw new AssertionError(what, e);
        }
    }

    /** The server's epoch, as a stream of board-1 announces it. */
    private static String epochOfServer() {
        try (SseClient sse = openStream("/boards/board-1/events", Map.of())) {
            return epochOf(connectedOf(sse));
        }
    }

    private static String epochOf(JsonNode message) {
        String epoch = message.path("epoch").asText();
        assertTrue(EPOCH.matcher(epoch).matches(), "epoch of " + message);
        return epoch;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
