package io.liveboard.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import io.liveboard.support.Writers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Polling by sequence number (issue 4): {@code /updates?after=n} answers the events after n (the same JSON
 * as the WebSocket broadcasts, at most 1000 at a time), {@code /poll?after=n} the same but waits when there
 * are none yet; a client looping on either, from any starting point and while writers keep the board busy,
 * gets every event once and in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollResumeTest extends ServerTest {

    private static final Set<String> EVENT_TYPES =
            Set.of("task_created", "task_updated", "task_moved", "task_deleted", "list_created");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-fA-F]{8}");

    @Test
    void updatesAfterAnswersTheEventsAfterItAsTheWebSocketBroadcastThem() {
        String board = http.newBoard("Updates after");
        List<JsonNode> broadcasts = new ArrayList<>();
        try (WsClient ws = WsClient.connect(server)) {
            ws.join(board);
            List<JsonNode> made = BoardEvents.everyKind(http, board);
            for (int i = 0; i < made.size(); i++) {
                broadcasts.add(ws.await(m -> EVENT_TYPES.contains(m.path("type").asText())));
            }
            assertEquals(made, broadcasts);
        }

        JsonNode all = updates(board, "after=0");
        assertEquals(board, all.path("boardId").asText());
        assertEquals(6, all.path("seq").asLong());
        String epoch = epochOf(all);
        assertFalse(all.path("more").asBoolean(), all.toString());
        assertFalse(all.has("resync"), all.toString());
        assertEquals(broadcasts, list(all.path("events")));

        JsonNode fromThree = updates(board, "after=3&epoch=" + epoch);
        assertEquals(6, fromThree.path("seq").asLong());
        assertEquals(epoch, epochOf(fromThree));
        assertEquals(broadcasts.subList(3, 6), list(fromThree.path("events")));

        JsonNode atTheEnd = updates(board, "after=6");
        assertEquals(6, atTheEnd.path("seq").asLong());
        assertEquals(List.of(), list(atTheEnd.path("events")));
        assertFalse(atTheEnd.has("resync"), atTheEnd.toString());
    }

    @Test
    void moreThanAThousandEventsComeAThousandAtATime() throws Exception {
        String board = http.newBoard("Paged");
        String list = http.firstListOf(board);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> creates = new ArrayList<>();
            for (int i = 0; i < 1003; i++) {
                String body = Json.write(Map.of("listId", list, "title", "page filler " + i));
                creates.add(pool.submit(() -> assertEquals(201, http.post("/tasks", body).status())));
            }
            for (Future<?> create : creates) {
                create.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1003, BoardEvents.seqOf(http, board));

        JsonNode first = updates(board, "after=0");
        assertTrue(first.path("more").asBoolean(), "more: " + first.path("more"));
        assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(), seqs(first.path("events")));
        JsonNode rest = updates(board, "after=1000");
        assertFalse(rest.path("more").asBoolean(), rest.path("more").toString());
        assertEquals(List.of(1001L, 1002L, 1003L), seqs(rest.path("events")));
        assertEquals(1003, rest.path("seq").asLong());

        JsonNode longPolled = poll(board, "after=2", Duration.ofSeconds(5));
        assertTrue(longPolled.path("more").asBoolean());
        assertEquals(LongStream.rangeClosed(3, 1002).boxed().toList(), seqs(longPolled.path("events")));
    }

    @Test
    void longPollAfterTheLastSeqWaitsForTheNextEventAndAnswersIt() {
        String board = http.newBoard("Long poll after");
        String list = http.firstListOf(board);
        http.createTask(list, "one");
        http.createTask(list, "two");

        CompletableFuture<HttpResponse<String>> waiting = startPoll(board, "after=2");
        assertThrows(TimeoutException.class, () -> waiting.get(500, TimeUnit.MILLISECONDS),
                "the long poll answered before anything changed");
        JsonNode task = http.createTask(list, "three");
        JsonNode body = answer(waiting);
        assertEquals(board, body.path("boardId").asText());
        assertEquals(3, body.path("seq").asLong());
        epochOf(body);
        assertEquals(List.of(BoardEvents.event("task_created", board, 3, "task", task)), list(body.path("events")));
        assertFalse(body.path("timeout").asBoolean());
    }

    @Test
    void longPollAfterAnEarlierSeqAnswersAtOnce() {
        String board = http.newBoard("Long poll behind");
        String list = http.firstListOf(board);
        JsonNode one = http.createTask(list, "one");
        JsonNode two = http.createTask(list, "two");

        long started = System.nanoTime();
        JsonNode body = poll(board, "after=0", Duration.ofSeconds(5));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMillis < 1500, "answered after " + elapsedMillis + " ms: it waited instead");
        assertEquals(List.of(BoardEvents.event("task_created", board, 1, "task", one), BoardEvents.event("task_created", board, 2, "task", two)),
                list(body.path("events")));
        assertEquals(2, body.path("seq").asLong());
    }

    @Test
    void longPollAfterTheLastSeqTimesOutWithNoEvents() {
        String board = http.newBoard("Long poll timeout");
        http.createTask(http.firstListOf(board), "only one");
        long started = System.nanoTime();
        JsonNode body = poll(board, "after=1", Duration.ofSeconds(10));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(body.path("timeout").asBoolean(), body.toString());
        assertEquals(List.of(), list(body.path("events")));
        assertTrue(elapsedMillis >= 1500, "the 2 s timeout came after " + elapsedMillis + " ms");
    }

    @Test
    void sinceAndAfterTogetherAreBadRequest() {
        String board = http.newBoard("Since and after");
        for (String route : List.of("updates", "poll")) {
            Http.Reply reply = http.get("/boards/" + board + "/" + route + "?since=2026-01-01T00:00:00Z&after=0");
            assertEquals(400, reply.status(), route + ": " + reply.body());
            assertTrue(reply.json().path("error").isTextual(), reply.body());
        }
    }

    @Test
    void afterThatIsNotANonNegativeIntegerIsBadRequest() {
        String board = http.newBoard("Bad after");
        for (String route : List.of("updates", "poll")) {
            for (String after : List.of("-1", "abc", "1.5", "1e3")) {
                Http.Reply reply = http.get("/boards/" + board + "/" + route + "?after=" + after);
                assertEquals(400, reply.status(), route + " after=" + after + ": " + reply.body());
                assertTrue(reply.json().path("error").isTextual(), reply.body());
            }
        }
    }

    @Test
    void afterOnAnUnknownBoardIsNotFound() {
        for (String route : List.of("updates", "poll")) {
            Http.Reply reply = http.get("/boards/nope/" + route + "?after=0");
            assertEquals(404, reply.status(), reply.body());
            assertEquals("{\"error\":\"Board not found: nope\"}", reply.json().toString());
        }
    }

    @Test
    void timeSincePollingStaysAsItWas() {
        String board = http.newBoard("Time polling");
        JsonNode task = http.createTask(http.firstListOf(board), "by time");
        JsonNode body = updates(board, "since=2000-01-01T00:00:00Z");
        assertEquals(List.of(task), list(body.path("data")));
        assertTrue(body.has("deleted") && body.has("timestamp"), body.toString());
        assertFalse(body.has("events"), body.toString());
    }

    /**
     * The seam under load: four writers create tasks without pause while short pollers ({@code updates})
     * and long pollers ({@code poll}) loop on {@code after}, starting from 0 at the start, from 0 mid-stream
     * and from a little behind the board mid-stream. Once the writers stop, each has every event from where
     * it started, once and in order, and every answer's {@code seq} is its last event's.
     */
    @Test
    void pollersLoopingOnAfterDuringConcurrentWritesGetEveryEventOnceInOrder() throws Exception {
        String board = http.newBoard("Polling seam under load");
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Poller> pollers = new ArrayList<>();
        List<Future<?>> running = new ArrayList<>();
        try (Writers writers = new Writers(http, http.firstListOf(board))) {
            for (String route : List.of("updates", "poll")) {
                Poller poller = new Poller(board, route, 0, route + " from the start");
                pollers.add(poller);
                running.add(clients.submit(poller));
            }
            writers.start();
            writers.awaitMore(40);
            for (String route : List.of("updates", "poll")) {
                Poller poller = new Poller(board, route, 0, route + " from 0 mid-stream");
                pollers.add(poller);
                running.add(clients.submit(poller));
            }
            writers.awaitMore(60);
            for (String route : List.of("updates", "poll")) {
                Poller poller = new Poller(board, route, Math.max(0, BoardEvents.seqOf(http, board) - 5), route + " from behind");
                pollers.add(poller);
                running.add(clients.submit(poller));
            }
            writers.awaitMore(150);
            int created = writers.stop();
            long last = BoardEvents.seqOf(http, board) + 1;
            assertEquals(created + 1, last, "one event per create");
            // one more event: the pollers stop there, and a long poll that was waiting gets it
            pollers.forEach(poller -> poller.until = last);
            http.createTask(http.firstListOf(board), "the last one");
            for (Future<?> poller : running) {
                poller.get(30, TimeUnit.SECONDS);
            }
            for (Poller poller : pollers) {
                assertEquals(LongStream.rangeClosed(poller.start + 1, last).boxed().toList(), poller.seqs, poller.name);
                assertTrue(poller.answers >= 2, poller.name + " polled only " + poller.answers + " times");
            }
            JsonNode end = updates(board, "after=" + last);
            assertEquals(List.of(), list(end.path("events")));
            assertEquals(last, end.path("seq").asLong());
        } finally {
            clients.shutdownNow();
        }
    }

    // ---- helpers

    /** A polling client of one board, looping on {@code route?after=<its position>} until it reaches {@link #until}. */
    private static final class Poller implements Runnable {
        private final String board;
        private final String route;
        private final long start;
        private final String name;
        private final List<Long> seqs = new ArrayList<>();
        private volatile long until = Long.MAX_VALUE;
        private long position;
        private String epoch;
        private int answers;

        Poller(String board, String route, long start, String name) {
            this.board = board;
            this.route = route;
            this.start = start;
            this.position = start;
            this.name = name;
        }

        @Override
        public void run() {
            while (position < until) {
                String query = "after=" + position + (epoch == null ? "" : "&epoch=" + epoch);
                JsonNode body = "poll".equals(route) ? poll(board, query, Duration.ofSeconds(10)) : updates(board, query);
                answers++;
                take(body);
                if ("updates".equals(route)) {
                    pause();
                }
            }
        }

        private void take(JsonNode body) {
            assertFalse(body.has("resync"), name + ": " + body);
            if (body.path("timeout").asBoolean()) {
                assertEquals("poll", route, name + ": " + body);
                assertEquals(List.of(), list(body.path("events")), name);
                return;
            }
            assertEquals(board, body.path("boardId").asText(), name);
            String answered = epochOf(body);
            if (epoch != null) {
                assertEquals(epoch, answered, name);
            }
            epoch = answered;
            JsonNode events = body.path("events");
            assertTrue(events.isArray(), name + ": " + body);
            if (events.isEmpty()) {
                assertEquals("updates", route, name + ": a long poll answered nothing but did not time out: " + body);
                assertEquals(position, body.path("seq").asLong(), name + ": nothing after " + position + " in " + body);
                return;
            }
            for (JsonNode event : events) {
                long seq = event.path("seq").asLong();
                seqs.add(seq);
                assertEquals(position + 1, seq, name + ": the event after " + position);
                assertEquals(board, event.path("boardId").asText(), name);
                assertTrue(EVENT_TYPES.contains(event.path("type").asText()), name + ": " + event);
                position = seq;
            }
            if (!body.path("more").asBoolean()) {
                assertEquals(position, body.path("seq").asLong(), name + ": an answer's seq is its last event's");
            }
        }

        private static void pause() {
            // a short poller's interval
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static JsonNode updates(String board, String query) {
        Http.Reply reply = http.get("/boards/" + board + "/updates?" + query);
        assertEquals(200, reply.status(), query + ": " + reply.body());
        return reply.json();
    }

    private static JsonNode poll(String board, String query, Duration wait) {
        return answer(startPoll(board, query), wait);
    }

    private static CompletableFuture<HttpResponse<String>> startPoll(String board, String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.http("/boards/" + board + "/poll?" + query)))
                .timeout(Duration.ofSeconds(20)).GET().build();
        return http.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode answer(CompletableFuture<HttpResponse<String>> poll) {
        return answer(poll, Duration.ofSeconds(10));
    }

    private static JsonNode answer(CompletableFuture<HttpResponse<String>> poll, Duration wait) {
        HttpResponse<String> response;
        try {
            response = poll.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("The long poll did not answer within " + wait, e);
        }
        assertEquals(200, response.statusCode(), response.body());
        try {
            return Json.parse(response.body());
        } catch (Exception e) {
            throw new AssertionError("Not JSON: " + response.body(), e);
        }
    }

    private static String epochOf(JsonNode body) {
        String epoch = body.path("epoch").asText();
        assertTrue(EPOCH.matcher(epoch).matches(), "epoch of " + body);
        return epoch;
    }

    private static List<Long> seqs(JsonNode events) {
        List<Long> seqs = new ArrayList<>();
        list(events).forEach(event -> seqs.add(event.path("seq").asLong()));
        return seqs;
    }

    private static List<JsonNode> list(JsonNode array) {
        assertTrue(array.isArray(), String.valueOf(array));
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

}
