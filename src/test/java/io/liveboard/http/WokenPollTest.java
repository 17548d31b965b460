package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.board.BoardStore;
import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.ForwardingBoardStore;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A woken long poll answers from the events that woke it: while 200 polls wait on a board and one event is
 * created, the store is not read again for the {@code after=} polls (each gets the same bytes as
 * {@code /updates?after=} answers), and read once for time polls that share a {@code since}. A poll that missed
 * events between its read and the event that woke it still gets every event after its cursor.
 *
 * <p>The seam: the real SQLite store, wrapped to count its reads and to hold one read once it has run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WokenPollTest {

    private static final int POLLS = 200;

    private static ObservedStore store;
    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() throws IOException {
        Config config = TestServer.fastConfig()
                .toBuilder().longPollTimeout(Duration.ofSeconds(30)).build();
        server = TestServer.start(config, real -> store = new ObservedStore(real));
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void wokenEventPollsAnswerFromTheEventWithoutReadingTheStore() throws Exception {
        String board = http.newBoard("Woken by an event");
        String list = http.firstListOf(board);
        http.createTask(list, "one");
        http.createTask(list, "two");
        String epoch = http.epoch();
        int before = store.reads();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < POLLS; i++) {
            polls.add(startPoll(board, i % 2 == 0 ? "after=2" : "after=2&epoch=" + epoch));
        }
        Await.until("every poll has read the board", () -> store.reads() - before >= POLLS);
        int waiting = store.reads();

        JsonNode three = http.createTask(list, "three");
        List<String> answers = bodies(polls);
        assertEquals(0, store.reads() - waiting, "store reads to answer " + POLLS + " woken polls");

        String expected = http.get("/boards/" + board + "/updates?after=2").body();
        JsonNode body = Json.parse(expected);
        assertEquals(3, body.path("seq").asLong(), expected);
        assertEquals(epoch, body.path("epoch").asText(), expected);
        assertEquals(List.of(BoardEvents.event("task_created", board, 3, "task", three)), list(body.path("events")));
        for (String answer : answers) {
            assertEquals(expected, answer);
        }
    }

    @Test
    void wokenTimePollsWithTheSameSinceShareOneRead() throws Exception {
        String board = http.newBoard("Woken by time");
        String list = http.firstListOf(board);
        http.createTask(list, "before");
        Instant since = timestampAfterEverythingSoFar(board);
        int before = store.readsAfterWrites();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < POLLS; i++) {
            polls.add(startPoll(board, "since=" + since));
        }
        Await.until("every poll has read the board", () -> store.readsAfterWrites() - before >= POLLS);
        int waiting = store.readsAfterWrites();

        JsonNode created = http.createTask(list, "after");
        List<String> answers = bodies(polls);
        assertEquals(1, store.readsAfterWrites() - waiting, "store reads to answer " + POLLS + " woken polls");
        JsonNode body = Json.parse(answers.get(0));
        assertEquals(List.of(created), list(body.path("data")));
        assertEquals(List.of(), list(body.path("deleted")));
        assertFalse(body.has("timeout"), body.toString());
        for (String answer : answers) {
            assertEquals(answers.get(0), answer);
        }
    }

    @Test
    void aPollWokenWhileItReadsAnswersFromTheEventItSaw() throws Exception {
        String board = http.newBoard("Woken while reading");
        String list = http.firstListOf(board);
        http.createTask(list, "one");
        store.holdNextRead();
        CompletableFuture<HttpResponse<String>> held = startPoll(board, "after=1");
        store.awaitHeld();
        JsonNode two = fannedOut(board, 1, () -> http.createTask(list, "two"));
        int reads = store.reads();

        store.release();
        JsonNode body = Json.parse(bodies(List.of(held)).get(0));
        assertEquals(0, store.reads() - reads, "store reads to answer the poll");
        assertEquals(List.of(BoardEvents.event("task_created", board, 2, "task", two)), list(body.path("events")));
        assertEquals(2, body.path("seq").asLong());
    }

    @Test
    void aPollThatMissedEventsBeforeTheOneThatWokeItGetsThemAll() throws Exception {
        String board = http.newBoard("Missed events");
        String list = http.firstListOf(board);
        http.createTask(list, "one");
        store.holdNextRead();
        CompletableFuture<HttpResponse<String>> held = startPoll(board, "after=1");
        store.awaitHeld();
        // events 2 and 3 are fanned out one after the other while the held poll has not yet said where it is
        JsonNode two = fannedOut(board, 1, () -> http.createTask(list, "two"));
        JsonNode three = fannedOut(board, 2, () -> http.createTask(list, "three"));
        int reads = store.reads();

        store.release();
        JsonNode body = Json.parse(bodies(List.of(held)).get(0));
        assertEquals(1, store.reads() - reads, "the poll reads the event the round that woke it does not hold");
        assertEquals(List.of(BoardEvents.event("task_created", board, 2, "task", two),
                BoardEvents.event("task_created", board, 3, "task", three)), list(body.path("events")));
        assertEquals(3, body.path("seq").asLong());
    }

    // ---- helpers

    /**
     * Makes the board's next event (after {@code seq}) and returns what {@code change} returned once the fan-out
     * has handed the event to the board's long polls: a poll that was waiting after {@code seq} got it.
     */
    private static <T> T fannedOut(String board, long seq, Supplier<T> change) throws Exception {
        int reads = store.reads();
        CompletableFuture<HttpResponse<String>> probe = startPoll(board, "after=" + seq);
        Await.until("the probe poll has read the board", () -> store.reads() > reads);
        T made = change.get();
        JsonNode body = Json.parse(bodies(List.of(probe)).get(0));
        assertEquals(seq + 1, body.path("seq").asLong(), body.toString());
        return made;
    }

    private static Instant timestampAfterEverythingSoFar(String board) {
        Instant lastChange = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant[] timestamp = new Instant[1];
        Await.until("a short poll timestamp after the board's last change", () -> {
            timestamp[0] = Instant.parse(http.get("/boards/" + board + "/updates").json().path("timestamp").asText());
            return timestamp[0].isAfter(lastChange);
        });
        return timestamp[0];
    }

    private static CompletableFuture<HttpResponse<String>> startPoll(String board, String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.http("/boards/" + board + "/poll?" + query)))
                .timeout(Duration.ofSeconds(40)).GET().build();
        return http.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The polls' answers, each a 200 with JSON that is not a timeout. */
    private static List<String> bodies(List<CompletableFuture<HttpResponse<String>>> polls) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> poll : polls) {
            HttpResponse<String> response = poll.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
            assertFalse(Json.parse(response.body()).path("timeout").asBoolean(), response.body());
            bodies.add(response.body());
        }
        return bodies;
    }

    private static List<JsonNode> list(JsonNode array) {
        assertTrue(array.isArray(), String.valueOf(array));
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    /** The real store, counting its reads; {@link #holdNextRead} holds the next read, once it ran, until released. */
    private static final class ObservedStore extends ForwardingBoardStore {

        private final AtomicInteger reads = new AtomicInteger();
        private final AtomicInteger readsAfterWrites = new AtomicInteger();
        private final AtomicBoolean holdNext = new AtomicBoolean();
        private volatile CountDownLatch held = new CountDownLatch(1);
        private volatile CountDownLatch release = new CountDownLatch(1);

        ObservedStore(BoardStore real) {
            super(real);
        }

        int reads() {
            return reads.get();
        }

        int readsAfterWrites() {
            return readsAfterWrites.get();
        }

        void holdNextRead() {
            held = new CountDownLatch(1);
            release = new CountDownLatch(1);
            holdNext.set(true);
        }

        void awaitHeld() throws InterruptedException {
            assertTrue(held.await(10, TimeUnit.SECONDS), "no read was held");
        }

        void release() {
            release.countDown();
        }

        @Override
        public <T> T read(Work<T> work) {
            T result = real.read(work);
            reads.incrementAndGet();
            if (holdNext.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return result;
        }

        @Override
        public <T> T readAfterWrites(Work<T> work) {
            T result = real.readAfterWrites(work);
            readsAfterWrites.incrementAndGet();
            return result;
        }

    }
}
