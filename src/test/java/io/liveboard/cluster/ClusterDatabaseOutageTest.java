package io.liveboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestRedis;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL out of reach for a while under three nodes (one database and one Redis; the nodes reach the database
 * through one {@link TcpProxy} that cuts every connection and turns new ones away), with clients on every node and
 * writers on every node: while it is away changes answer 503 within seconds and the WebSocket and SSE connections stay
 * open; once it is back changes commit again, and every client gets the board's events 1..N once and in order, N being
 * the number of changes answered 201. A client that joins on another node with {@code since} during or after the
 * outage gets the rest, and each node's once-a-second read of the database outlives the outage. The one change that
 * may be made although answered 503, one whose commit reaches the database and whose answer is cut off, is made once,
 * reaches every client and is answered as made when sent again with its key.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterDatabaseOutageTest {

    private static final String UNAVAILABLE = "Storage is unavailable, try again";
    /** The pool waits 3 s for a connection; a noisy machine must not fail the test with a margin of seconds. */
    private static final long ANSWER_BOUND_MILLIS = 10_000;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService writerThreads = Executors.newFixedThreadPool(3);

    @AfterEach
    void closeAll() throws Exception {
        writerThreads.shutdownNow();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    @Test
    void whilePostgresqlIsAwayWritesAnswer503ConnectionsStayOpenAndAfterwardsEveryClientGetsOneToNInOrder()
            throws Exception {
        Database.Postgres database = TestPostgres.freshDatabase();
        assumeTrue(List.of("localhost", "127.0.0.1").contains(database.host()), "the relay reaches 127.0.0.1 only");
        TcpProxy proxy = open(TcpProxy.start(database.port()));
        Database.Postgres throughProxy = new Database.Postgres("127.0.0.1", proxy.port(), database.name(),
                database.user(), database.password(), "");
        Config config = TestServer.fastConfig(throughProxy).toBuilder().redis(TestRedis.url()).build();
        List<TestServer> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(open(TestServer.start(config)));
        }
        String epoch = null;
        List<Recorder> clients = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            WsClient ws = open(WsClient.connect(nodes.get(i)));
            epoch = ws.join("board-1").path("epoch").asText();
            clients.add(open(Recorder.ws("ws on node " + i, ws)));
            SseClient sse = open(SseClient.open(nodes.get(i), "/boards/board-1/events"));
            assertEquals(200, sse.status());
            clients.add(open(Recorder.sse("sse on node " + i, sse)));
        }

        List<Writer> writers = new ArrayList<>();
        for (TestServer node : nodes) {
            writers.add(new Writer(node));
        }
        List<Future<?>> writing = new ArrayList<>();
        for (Writer writer : writers) {
            writing.add(writerThreads.submit(writer));
        }
        Await.until("every node committed 10 changes", Duration.ofSeconds(20),
                () -> writers.stream().allMatch(w -> w.committedSince(0) >= 10));

        // the database goes away: every connection cut, new ones turned away
        long seenBeforeTheCut = clients.get(0).last();
        long cutting = System.nanoTime();
        proxy.refuse();
        proxy.cutAll();
        long cut = System.nanoTime();
        WsClient lateWs = open(WsClient.connect(nodes.get(1)));
        lateWs.send(Json.write(Map.of("type", "join", "boardId", "board-1", "since", seenBeforeTheCut,
                "epoch", epoch)));
        JsonNode refusedJoin = lateWs.await(m -> m.has("error") || "joined".equals(m.path("type").asText()),
                Duration.ofMillis(ANSWER_BOUND_MILLIS));
        assertEquals(UNAVAILABLE, refusedJoin.path("error").asText(), "a join while the database is away: "
                + refusedJoin);
        try (SseClient refusedStream = SseClient.open(nodes.get(2), "/boards/board-1/events",
                Map.of("Last-Event-ID", epoch + "/" + seenBeforeTheCut))) {
            assertEquals(503, refusedStream.status(), "a stream that needs the database while it is away");
        }
        // the database stays away until every node has answered 503 to a change asked 2 s into the outage (its pool's
        // connections cut, new ones turned away)
        long twoSecondsIn = cut + TimeUnit.SECONDS.toNanos(2);
        Await.until("every node answered 503 to a change asked 2 s into the outage", Duration.ofSeconds(30),
                () -> writers.stream().allMatch(w -> w.refusedSince(twoSecondsIn) >= 1));
        for (Recorder client : clients) {
            client.assertAliveSince(cut);
        }
        assertTrue(lateWs.isOpen(), "the socket whose join was refused stays open");
        proxy.allow();
        long allowed = System.nanoTime();

        // it is back: the refused join is made again, changes commit on every node again
        JsonNode joined = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (joined == null) {
            lateWs.send(Json.write(Map.of("type", "join", "boardId", "board-1", "since", seenBeforeTheCut,
                    "epoch", epoch)));
            JsonNode answer = lateWs.await(m -> m.has("error") || "joined".equals(m.path("type").asText()),
                    Duration.ofMillis(ANSWER_BOUND_MILLIS));
            if ("joined".equals(answer.path("type").asText())) {
                joined = answer;
            } else {
                assertEquals(UNAVAILABLE, answer.path("error").asText(), answer.toString());
                assertTrue(System.nanoTime() < deadline, "the join is still refused 20 s after the database is back");
            }
        }
        assertEquals(epoch, joined.path("epoch").asText());
        Await.until("every node committed 10 changes after the database came back", Duration.ofSeconds(20),
                () -> writers.stream().allMatch(w -> w.committedSince(allowed) >= 10));
        SseClient lateSse = open(SseClient.open(nodes.get(2), "/boards/board-1/events",
                Map.of("Last-Event-ID", epoch + "/" + seenBeforeTheCut)));
        assertEquals(200, lateSse.status());
        Await.until("every node committed 5 more changes", Duration.ofSeconds(20),
                () -> writers.stream().allMatch(w -> w.committedSince(allowed) >= 15));
        for (Writer writer : writers) {
            writer.stop();
        }
        for (Future<?> future : writing) {
            future.get(30, TimeUnit.SECONDS);
        }

        Http http = new Http(nodes.get(0));
        JsonNode board = http.get("/boards/board-1").json();
        long last = board.path("seq").asLong();
        Map<String, Integer> onBoard = new HashMap<>();
        board.path("lists").forEach(list -> list.path("tasks").forEach(
                task -> onBoard.merge(task.path("title").asText(), 1, Integer::sum)));
        long committed = writers.stream().mapToLong(w -> w.committedSince(0)).sum();
        List<Writer.Answer> madeAnyway = new ArrayList<>();
        for (Writer writer : writers) {
            madeAnyway.addAll(writer.assertAnswers(cutting, cut, allowed, onBoard));
        }
        // a change whose commit the cut met may have been made though it was answered 503 (the server cannot tell):
        // none other
        assertEquals(committed + madeAnyway.size(), last, "the board's last event number is the number of changes "
                + "answered 201 (and of those in doubt that were made: " + madeAnyway + "); " + writers);
        List<Long> oneToN = LongStream.rangeClosed(1, last).boxed().toList();
        for (Recorder client : clients) {
            client.assertGot(oneToN);
        }
        List<Long> rest = LongStream.rangeClosed(seenBeforeTheCut + 1, last).boxed().toList();
        assertEquals(rest, read(rest.size(), () -> lateWs.await(m -> m.path("type").asText().startsWith("task_"))
                .path("seq").asLong()), "the socket that joined on node 1 since " + seenBeforeTheCut);
        assertEquals(rest, read(rest.size(), () -> Long.parseLong(lateSse.await(e -> e.event().startsWith("task_"))
                .position())), "the stream opened on node 2 since " + seenBeforeTheCut);
        // nothing more, nothing again: the next event every client gets is the next change's; made through a node that
        // publishes nothing, it reaches them through each node's read of the database once a second, which outlived
        // the outage
        TestServer silent = open(TestServer.startWithBus(TestServer.fastConfig(database).toBuilder()
                .redis(TestRedis.url()).build(), SilentBus::new));
        new Http(silent).createTask("list-todo", "after it all");
        for (Recorder client : clients) {
            client.assertGot(LongStream.rangeClosed(1, last + 1).boxed().toList());
        }
    }

    @Test
    void aChangeWhoseCommitIsCutOffAnswers503ButMayBeMadeAndThenReachesEveryNodeAndItsKeyTellsSo() {
        Database.Postgres database = TestPostgres.freshDatabase();
        assumeTrue(List.of("localhost", "127.0.0.1").contains(database.host()), "the relay reaches 127.0.0.1 only");
        // only node 0 reaches the database through the relay, and has no client: its one talk with the database is
        // the change below
        TcpProxy proxy = open(TcpProxy.start(database.port()));
        Config direct = TestServer.fastConfig(database).toBuilder().redis(TestRedis.url()).build();
        TestServer writer = open(TestServer.start(direct.toBuilder().db(new Database.Postgres("127.0.0.1",
                proxy.port(), database.name(), database.user(), database.password(), "")).build()));
        TestServer one = open(TestServer.start(direct));
        TestServer two = open(TestServer.start(direct));
        WsClient ws = open(WsClient.connect(one));
        ws.join("board-1");
        SseClient sse = open(SseClient.open(two, "/boards/board-1/events"));
        assertEquals(200, sse.status());

        // the commit goes through, and the connection is cut before its answer can come back
        AtomicBoolean eventWritten = new AtomicBoolean();
        proxy.cutAfterNextClientSend(bytes -> {
            if (new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).contains("INSERT INTO events")) {
                eventWritten.set(true);
                return false;
            }
            // the commit: a Bind of the driver's prepared COMMIT, without parameters
            return eventWritten.get() && bytes[0] == 'B' && bytes.length < 40;
        });
        Http http = new Http(writer);
        String body = "{\"title\":\"in doubt\",\"listId\":\"list-todo\"}";
        Map<String, String> key = Map.of("Idempotency-Key", "f3c1e8a2-in-doubt");
        Http.Reply refused = http.request("POST", "/tasks", body, key);
        assertEquals(503, refused.status(), refused.body());
        assertEquals(Json.write(Map.of("error", UNAVAILABLE)), refused.body());
        proxy.allow();

        // it was made: node 0 never published it, the others read it from the database within about a second
        JsonNode event = ws.await(m -> m.path("type").asText().startsWith("task_"), Duration.ofSeconds(5));
        assertEquals(1, event.path("seq").asLong(), event.toString());
        assertEquals("in doubt", event.path("task").path("title").asText(), event.toString());
        SseClient.Event streamed = sse.await(e -> e.event() != null && e.event().startsWith("task_"),
                Duration.ofSeconds(5));
        assertEquals("1", streamed.position());
        assertEquals(event.path("task"), streamed.json().path("task"));

        // sent again with its key, it is answered as made, and made once
        Http.Reply[] again = new Http.Reply[1];
        Await.until("the change sent again is answered once the database is back", Duration.ofSeconds(20), () -> {
            again[0] = http.request("POST", "/tasks", body, key);
            return again[0].status() != 503;
        });
        assertEquals(201, again[0].status(), again[0].body());
        assertEquals("true", again[0].header("Idempotent-Replayed"));
        assertEquals("1", again[0].header("Liveboard-Seq"));
        assertEquals(event.path("task"), again[0].json());
        new Http(one).createTask("list-todo", "next");
        assertEquals(2, ws.await(m -> m.path("type").asText().startsWith("task_")).path("seq").asLong(),
                "no second event of the change");
        assertEquals("2", sse.await(e -> e.event() != null && e.event().startsWith("task_")).position());
    }

    private static List<Long> read(int count, java.util.function.LongSupplier next) {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seqs.add(next.getAsLong());
        }
        return seqs;
    }

    /** POSTs tasks to one node in a loop until stopped, keeping every answer with when it was asked and answered. */
    private static final class Writer implements java.util.concurrent.Callable<Void> {
        /** {@code sent} and {@code answered} as {@link System#nanoTime()}. */
        record Answer(String title, long sent, long answered, int status, String body) {
            long millis() {
                return (answered - sent) / 1_000_000;
            }
        }

        private final TestServer node;
        private final Http http;
        private final List<Answer> answers = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();

        Writer(TestServer node) {
            this.node = node;
            this.http = new Http(node);
        }

        @Override
        public Void call() {
            for (int i = 0; !stop.get(); i++) {
                long sent = System.nanoTime();
                String title = "through " + node.port() + " #" + i;
                Http.Reply reply = http.post("/tasks", Json.write(Map.of("listId", "list-todo", "title", title)));
                answers.add(new Answer(title, sent, System.nanoTime(), reply.status(), reply.body()));
            }
            return null;
        }

        void stop() {
            stop.set(true);
        }

        long committedSince(long nanos) {
            return answers.stream().filter(a -> a.status() == 201 && a.sent() - nanos >= 0).count();
        }

        long refusedSince(long nanos) {
            return answers.stream().filter(a -> a.status() == 503 && a.sent() - nanos >= 0).count();
        }

        /**
         * Every answer is a 201 or the 503 of an unavailable store, and came within the bound; a change asked after
         * the cut (which began at {@code cutting} and ended at {@code cut}) and answered before the database was back
         * ({@code allowed}) is a 503. Each change answered 201 is on the board once;
         * one answered 503 is not, unless it was under way when the connections were cut (its commit may have
         * reached the database, its answer not): returns those.
         */
        List<Answer> assertAnswers(long cutting, long cut, long allowed, Map<String, Integer> onBoard) {
            List<Answer> madeAnyway = new ArrayList<>();
            for (Answer answer : answers) {
                assertTrue(answer.millis() < ANSWER_BOUND_MILLIS, "answered in " + answer.millis() + " ms: " + answer);
                boolean whileAway = answer.sent() - cut >= 0 && allowed - answer.answered() > 0;
                boolean underWayAtTheCut = cut - answer.sent() > 0 && answer.answered() - cutting >= 0;
                int made = onBoard.getOrDefault(answer.title(), 0);
                if (answer.status() == 201) {
                    assertFalse(whileAway, "asked and answered while the database was away: " + answer);
                    assertEquals(1, made, "made once: " + answer);
                    continue;
                }
                assertEquals(503, answer.status(), answer.toString());
                assertEquals(Json.write(Map.of("error", UNAVAILABLE)), answer.body(), answer.toString());
                if (made > 0) {
                    assertEquals(1, made, answer.toString());
                    assertTrue(underWayAtTheCut, "a change answered 503 was made, not under way at the cut: " + answer);
                    madeAnyway.add(answer);
                }
            }
            return madeAnyway;
        }

        @Override
        public String toString() {
            return "node " + node.port() + ": " + committedSince(0) + " × 201, " + answers.stream()
                    .filter(a -> a.status() != 201).count() + " others";
        }
    }

    /**
     * Reads one client on a thread of its own: the numbers of the board's task events in the order they came, and
     * when the last sign of life came (a {@code pong}, an SSE heartbeat), so that the test may ask while doing
     * other things.
     */
    private static final class Recorder implements AutoCloseable {
        private final String who;
        private final List<Long> seqs = new CopyOnWriteArrayList<>();
        private final Runnable ping;
        private volatile long lastAlive;
        private volatile boolean stopped;
        private final Thread thread;

        private <T> Recorder(String who, Function<Duration, T> next, Function<T, Long> seqOf,
                Predicate<T> aliveSign, Runnable ping) {
            this.who = who;
            this.ping = ping;
            this.thread = new Thread(() -> {
                while (!stopped) {
                    T message = next.apply(Duration.ofMillis(200));
                    if (message == null) {
                        continue;
                    }
                    Long seq = seqOf.apply(message);
                    if (seq != null) {
                        seqs.add(seq);
                    } else if (aliveSign.test(message)) {
                        lastAlive = System.nanoTime();
                    }
                }
            }, "recorder " + who);
            thread.setDaemon(true);
            thread.start();
        }

        static Recorder ws(String who, WsClient client) {
            return new Recorder(who, client::poll,
                    m -> m.path("type").asText().startsWith("task_") ? m.path("seq").asLong() : null,
                    m -> "pong".equals(m.path("type").asText()), () -> client.send("{\"type\":\"ping\"}"));
        }

        static Recorder sse(String who, SseClient client) {
            return new Recorder(who, client::poll,
                    e -> e.event() != null && e.event().startsWith("task_") ? Long.parseLong(e.position()) : null,
                    e -> ":comment".equals(e.event()) && "heartbeat".equals(e.data()), () -> {
                        assertFalse(client.ended(), who + ": the stream ended");
                    });
        }

        long last() {
            return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        }

        /** A pong to a ping sent now (WebSocket), or a heartbeat (SSE), came after {@code since}: it is open. */
        void assertAliveSince(long since) {
            long asked = System.nanoTime();
            ping.run();
            Await.until(who + " answers after the cut", Duration.ofSeconds(5),
                    () -> lastAlive - Math.max(since, asked) > 0);
        }

        /** Waits until the client has as many events as expected, then asserts they are those. */
        void assertGot(List<Long> expected) {
            try {
                Await.until(who + " has " + expected.size() + " events", Duration.ofSeconds(20),
                        () -> seqs.size() >= expected.size());
            } catch (AssertionError e) {
                throw new AssertionError(who + " got " + seqs.size() + " of " + expected.size() + ": " + seqs, e);
            }
            assertEquals(expected, List.copyOf(seqs), who + ": every event once and in order");
        }

        @Override
        public void close() {
            stopped = true;
            thread.interrupt();
        }
    }
}
