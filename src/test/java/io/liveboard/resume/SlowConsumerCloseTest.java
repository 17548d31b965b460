package io.liveboard.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.config.ConfigParser;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket that stops reading while its room gets many events overflows its outbound queue: it leaves
 * the room at once, is closed with 1008 "slow consumer" when that close frame can get out (it reads again)
 * or cut within about 2 s when it cannot (it never reads again), a healthy member of the room gets every
 * seq in order meanwhile, and the dropped client resumes with {@code since} = the last seq it got. And the
 * other side of the limit: a client that reads is not taken for a slow consumer because the server hands it
 * much at once, a replay larger than {@code --max-queued} or a burst of events committed together.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowConsumerCloseTest {

    private static final long MAX_QUEUED = 128 * 1024;
    private static final String DESCRIPTION = "d".repeat(8_000);
    private static final String SLOW_CONSUMERS = "liveboard_slow_consumer_disconnects_total{transport=\"websocket\"}";
    /** How long the server may wait for a slow consumer's close frame to get out before cutting it. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    /** "At once": well within the close grace, so leaving cannot have waited for the socket to close. */
    private static final Duration AT_ONCE = Duration.ofMillis(1500);

    /**
     * A client that joins a board and then reads nothing (no demand: its TCP window closes and the server's
     * queue for it grows) until {@link #readAgain}; from then on it reads everything, recording the seq of
     * each {@code task_created} and how the connection closed.
     */
    public static final class Stalling implements FrameHandler {
        private final String boardId;
        private final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        private final List<String> others = Collections.synchronizedList(new ArrayList<>());
        private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private volatile CoreSession session;
        private volatile boolean reading;

        Stalling(String boardId) {
            this.boardId = boardId;
        }

        @Override
        public void onOpen(CoreSession session, Callback callback) {
            this.session = session;
            callback.succeeded();
            session.sendFrame(new Frame(OpCode.TEXT).setPayload("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}"),
                    Callback.NOOP, false);
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            byte opCode = frame.getOpCode();
            if (opCode == OpCode.TEXT || opCode == OpCode.CONTINUATION) {
                text.append(frame.getPayloadAsUTF8());
                if (frame.isFin()) {
                    record(text.toString());
                    text.setLength(0);
                }
            }
            callback.succeeded();
            if (reading && opCode != OpCode.CLOSE) {
                session.demand();
            }
        }

        private void record(String message) {
            JsonNode json;
            try {
                json = Json.parse(message);
            } catch (Exception e) {
                others.add(message);
                return;
            }
            if ("task_created".equals(json.path("type").asText())) {
                seqs.add(json.path("seq").asLong());
            } else if (json.has("error") || "resync".equals(json.path("type").asText())) {
                others.add(message.length() <= 300 ? message : message.substring(0, 300));
            }
        }

        void readAgain() {
            reading = true;
            session.demand();
        }

        CloseStatus awaitClose() throws Exception {
            return closed.get(10, TimeUnit.SECONDS);
        }

        List<Long> seqs() {
            synchronized (seqs) {
                return List.copyOf(seqs);
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            closed.complete(closeStatus);
            callback.succeeded();
        }
    }

    private TestServer server;
    private Http http;
    private WebSocketCoreClient stallingClient;

    @BeforeEach
    void start() throws Exception {
        String db = Files.createTempDirectory("liveboard-slow-close").resolve("liveboard.db").toString();
        Config config = ConfigParser.parse(new String[] {"--port", "0", "--host", "127.0.0.1", "--db", db,
                "--max-queued", String.valueOf(MAX_QUEUED), "--long-poll-timeout", "2", "--sse-heartbeat", "0.3"},
                Map.of());
        server = TestServer.start(config);
        http = new Http(server);
        stallingClient = new WebSocketCoreClient();
        stallingClient.start();
    }

    @AfterEach
    void stop() throws Exception {
        stallingClient.stop();
        server.close();
    }

    @Test
    void aSocketThatStopsReadingIsClosedWith1008LeavesItsRoomAtOnceAndResumesFromItsLastSeq() throws Exception {
        String board = http.newBoard("Slow consumer, reads again");
        String list = http.firstListOf(board);
        try (WsClient healthy = WsClient.connect(server)) {
            healthy.join(board);
            Stalling stalling = connectStalling(board, healthy);

            floodUntilSlowConsumer(board, list);
            assertCountedAndOutOfTheRoomAtOnce(board, healthy);
            // it reads again now, within the close grace: the close frame can get out
            stalling.readAgain();
            CloseStatus close = stalling.awaitClose();
            assertEquals(1008, close.getCode(), "close status of the slow consumer: " + close);
            assertEquals("slow consumer", close.getReason());

            long last = assertGaplessPrefix(stalling);
            assertResumesWithoutGap(healthy, board, list, last);
            assertEquals(1.0, metric(SLOW_CONSUMERS));
        }
    }

    @Test
    void aSocketThatNeverReadsAgainIsCutWithinTheGraceLeavesItsRoomAtOnceAndResumesFromItsLastSeq()
            throws Exception {
        String board = http.newBoard("Slow consumer, reads no more");
        String list = http.firstListOf(board);
        try (WsClient healthy = WsClient.connect(server)) {
            healthy.join(board);
            Stalling stalling = connectStalling(board, healthy);

            int flooded = floodUntilSlowConsumer(board, list);
            long detected = System.nanoTime();
            assertCountedAndOutOfTheRoomAtOnce(board, healthy);
            Await.until("the server lets go of the stalled socket within the close grace",
                    CLOSE_GRACE.plusMillis(500), () -> http.connections().path("websocket").asInt() == 1);
            for (int seq = 1; seq <= flooded; seq++) {
                int expected = seq;
                JsonNode event = healthy.await(m -> "task_created".equals(m.path("type").asText()));
                assertEquals(expected, event.path("seq").asInt(), "the healthy member gets every seq in order");
            }
            // the scenario itself, not a guess: the peer reads nothing for longer than the close grace, so the
            // server's close frame cannot get out and the server must cut the connection
            long quietUntil = detected + CLOSE_GRACE.plusSeconds(1).toNanos();
            long left = quietUntil - System.nanoTime();
            if (left > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
            stalling.readAgain();
            CloseStatus close = stalling.awaitClose();
            assertNotEquals(1008, close.getCode(), "a 1008 close frame got out " + CLOSE_GRACE.plusSeconds(1)
                    + " after the overflow: the server did not cut the connection within " + CLOSE_GRACE);
            assertEquals(CloseStatus.NO_CLOSE, close.getCode(), "cut without a close frame: " + close);

            long last = assertGaplessPrefix(stalling);
            assertResumesWithoutGap(healthy, board, list, last);
            assertEquals(1.0, metric(SLOW_CONSUMERS));
        }
    }

    @Test
    void aReplayLargerThanTheQueueLimitReachesAClientThatReads() {
        String board = http.newBoard("Big replay");
        String list = http.firstListOf(board);
        int tasks = (int) (3 * MAX_QUEUED / DESCRIPTION.length());
        for (int i = 0; i < tasks; i++) {
            assertEquals(201, http.post("/tasks",
                    Json.write(Map.of("listId", list, "title", "t" + i, "description", DESCRIPTION))).status());
        }
        try (WsClient client = WsClient.connect(server)) {
            // everything since 0: about three times --max-queued, to a client that reads as fast as it can
            client.send("{\"type\":\"join\",\"boardId\":\"" + board + "\",\"since\":0}");
            assertEquals(tasks, awaitJoined(client, 0).path("seq").asLong(), "joined since 0: the board's seq");
            assertReplays(client, 0, tasks);
        }
        assertEquals(0.0, metric(SLOW_CONSUMERS), "a client that reads is no slow consumer");
    }

    @Test
    void aClientThatReadsIsNotCutWhenABurstOfEventsComesAtOnce() throws Exception {
        String board = http.newBoard("Burst");
        String list = http.firstListOf(board);
        int tasks = (int) (6 * MAX_QUEUED / DESCRIPTION.length());
        try (WsClient reader = WsClient.connect(server)) {
            reader.join(board);
            // many writes at once: committed together, they reach the fan-out together
            ExecutorService writers = Executors.newFixedThreadPool(tasks);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < tasks; i++) {
                    String title = "burst " + i;
                    statuses.add(writers.submit(() -> http.post("/tasks",
                            Json.write(Map.of("listId", list, "title", title, "description", DESCRIPTION))).status()));
                }
                for (Future<Integer> status : statuses) {
                    assertEquals(201, status.get(30, TimeUnit.SECONDS));
                }
            } finally {
                writers.shutdownNow();
            }
            assertReplays(reader, 0, tasks);
        }
        assertEquals(0.0, metric(SLOW_CONSUMERS), "a client that reads is no slow consumer");
    }

    private Stalling connectStalling(String board, WsClient healthy) throws Exception {
        Stalling stalling = new Stalling(board);
        stallingClient.connect(stalling, URI.create(server.ws("/ws"))).get(10, TimeUnit.SECONDS);
        assertEquals(2, healthy.awaitType("user_joined").path("viewers").asInt());
        assertEquals(2, websocketsOn(board));
        return stalling;
    }

    /** Posts tasks of 8 kB until the server reports a slow consumer or the room shrinks; returns how many. */
    private int floodUntilSlowConsumer(String board, String list) {
        int tasks = 0;
        // the room every task, the (larger) metrics page every 8th
        while (websocketsOn(board) == 2 && (tasks % 8 != 0 || metric(SLOW_CONSUMERS) == 0.0)) {
            assertTrue(tasks < 4_000, "the stalled peer was never found slow");
            Http.Reply created = http.post("/tasks",
                    Json.write(Map.of("listId", list, "title", "t" + tasks, "description", DESCRIPTION)));
            assertEquals(201, created.status(), created.body());
            tasks++;
        }
        return tasks;
    }

    /** Once found slow, the socket is out of its room at once: long before the server may cut it. */
    private void assertCountedAndOutOfTheRoomAtOnce(String board, WsClient healthy) {
        double[] last = new double[2];
        try {
            Await.until("the slow consumer counted and out of its room", AT_ONCE, () -> {
                last[0] = metric(SLOW_CONSUMERS);
                last[1] = websocketsOn(board);
                return last[0] == 1.0 && last[1] == 1;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": slow consumers counted " + last[0] + ", sockets in the room "
                    + (int) last[1] + (healthy.isOpen() ? "" : "; the healthy member was cut too, with "
                    + healthy.awaitClose() + " \"" + healthy.closeReason() + "\""), e);
        }
    }

    /** What the dropped client got is seqs 1..L with nothing skipped (so L is a sound point to resume from). */
    private static long assertGaplessPrefix(Stalling stalling) {
        List<Long> got = stalling.seqs();
        assertEquals(LongStream.rangeClosed(1, got.size()).boxed().toList(), got,
                "the dropped client got a gapless prefix of the board's events");
        assertEquals(List.of(), stalling.others, "no error or resync before the close");
        return got.size();
    }

    /**
     * More events come while the dropped client is away and while it joins again with {@code since}; it
     * gets exactly last+1..N, and the healthy member (still connected) exactly 1..N, in order.
     */
    private void assertResumesWithoutGap(WsClient healthy, String board, String list, long last) {
        for (int i = 0; i < 20; i++) {
            http.createTask(list, "while away " + i);
        }
        try (WsClient resumed = WsClient.connect(server)) {
            resumed.send("{\"type\":\"join\",\"boardId\":\"" + board + "\",\"since\":" + last + "}");
            // and some live ones around the seam between the replay and the live events
            for (int i = 0; i < 10; i++) {
                http.createTask(list, "at the seam " + i);
            }
            JsonNode joined = awaitJoined(resumed, last);
            assertTrue(joined.path("seq").asLong() >= last + 20, "joined since " + last + ": " + joined);
            long n = http.get("/boards/" + board).json().path("seq").asLong();
            assertReplays(resumed, last, n);

            long healthyFrom = healthySeen(healthy);
            for (long seq = healthyFrom + 1; seq <= n; seq++) {
                JsonNode event = healthy.await(m -> "task_created".equals(m.path("type").asText()));
                assertEquals(seq, event.path("seq").asLong(), "the healthy member gets every seq in order");
            }
            assertEquals(List.of(), healthy.drain().stream().filter(m -> m.has("error")).toList());
            Await.value("in the room: the healthy member and the resumed client", 2, () -> websocketsOn(board));
        }
    }

    /** The {@code joined} answering a join with {@code since}; if the connection closes instead, says how. */
    private static JsonNode awaitJoined(WsClient client, long since) {
        try {
            return client.awaitType("joined");
        } catch (AssertionError e) {
            if (!client.isOpen()) {
                throw new AssertionError("join since " + since + ": the connection was closed with "
                        + client.awaitClose() + " \"" + client.closeReason() + "\" instead of an answer", e);
            }
            throw e;
        }
    }

    /** The client, past seq {@code from} (joined with it as {@code since}), gets from+1..n, no more; it stays open. */
    private static void assertReplays(WsClient client, long from, long n) {
        for (long seq = from + 1; seq <= n; seq++) {
            JsonNode event;
            try {
                event = client.await(m -> m.has("error") || m.path("type").asText().equals("resync")
                        || m.path("type").asText().equals("task_created"));
            } catch (AssertionError e) {
                if (!client.isOpen()) {
                    throw new AssertionError("after seq " + from + ": the connection was closed with "
                            + client.awaitClose() + " \"" + client.closeReason() + "\" before seq " + seq + " of "
                            + n, e);
                }
                throw e;
            }
            assertEquals("task_created", event.path("type").asText(), "after seq " + from + ": " + event);
            assertEquals(seq, event.path("seq").asLong(), "after seq " + from + ": no gap, no duplicate");
        }
        client.assertNoneBeforePong(m -> m.path("type").asText().startsWith("task_") || m.has("error")
                || m.path("type").asText().equals("resync"));
        assertTrue(client.isOpen(), "the resumed client keeps its connection");
    }

    /**
     * The seqs the healthy member has been handed by {@code await} so far must be 1..k; returns k. (Its
     * messages are consumed in order by the checks; this finds where they stopped.)
     */
    private static long healthySeen(WsClient healthy) {
        List<Long> seen = new ArrayList<>();
        for (JsonNode message : healthy.drain()) {
            if ("task_created".equals(message.path("type").asText())) {
                seen.add(message.path("seq").asLong());
            }
        }
        assertEquals(LongStream.rangeClosed(1, seen.size()).boxed().toList(), seen,
                "the healthy member gets every seq in order");
        return seen.size();
    }

    private int websocketsOn(String boardId) {
        return http.connections().path("boards").path(boardId).path("websocket").asInt();
    }

    private double metric(String name) {
        for (String line : http.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        return 0.0;
    }
}
