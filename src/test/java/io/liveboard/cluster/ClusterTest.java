package io.liveboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestRedis;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real {@code App}s in one JVM on one PostgreSQL database and one Redis ({@code --redis}), clients (WebSocket
 * and SSE) spread over them and writers on every node: every client gets its board's events 1..N once and in order,
 * also when Redis stops for a while or a node commits without publishing; {@code X-Socket-Id} spares a socket on
 * another node; a client resumes on another node with {@code since}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterTest {

    private static final String COMMENT = "comment";

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService writers = Executors.newFixedThreadPool(3);

    @AfterEach
    void closeAll() throws Exception {
        writers.shutdownNow();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private static Config nodeConfig(Database.Postgres database) {
        return TestServer.fastConfig(database).toBuilder().redis(TestRedis.url()).build();
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    private List<TestServer> nodes(int count) {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config config = nodeConfig(database);
        List<TestServer> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(open(TestServer.start(config)));
        }
        return nodes;
    }

    /** A client's view of one board's events: it gets the next, in order, and says which number it has. */
    private interface Follower {
        /** Waits for the board's next task event and returns its {@code seq}. */
        long next(Duration wait);
    }

    private Follower ws(TestServer node, String boardId) {
        WsClient client = open(WsClient.connect(node));
        client.join(boardId);
        return wait -> client.await(m -> m.path("type").asText().startsWith("task_"), wait).path("seq").asLong();
    }

    private Follower sse(TestServer node, String boardId) {
        SseClient client = open(SseClient.open(node, "/boards/" + boardId + "/events"));
        assertEquals(200, client.status());
        SseClient.Event connected = client.await(e -> e.retry() == null && !COMMENT.equals(e.event()));
        assertEquals("connected", connected.json().path("type").asText(), connected.toString());
        return wait -> Long.parseLong(client.await(e -> e.event() != null && e.event().startsWith("task_"), wait)
                .position());
    }

    /** Asserts the follower gets exactly {@code from}..{@code to}, in order, each within {@code wait}. */
    private static void assertGets(Follower follower, String who, long from, long to, Duration wait) {
        for (long seq = from; seq <= to; seq++) {
            assertEquals(seq, follower.next(wait), who + ": the next event");
        }
    }

    /** A WebSocket and an SSE follower of board-1 on each node, in that order. */
    private List<Follower> wsAndSseOnEvery(List<TestServer> nodes) {
        List<Follower> followers = new ArrayList<>();
        for (TestServer node : nodes) {
            followers.add(ws(node, "board-1"));
            followers.add(sse(node, "board-1"));
        }
        return followers;
    }

    /** Creates {@code count} tasks on the list through each node at once (one writer per node). */
    private void writeOnEvery(List<TestServer> nodes, String listId, int count) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (TestServer node : nodes) {
            Http http = new Http(node);
            done.add(writers.submit(() -> {
                for (int i = 0; i < count; i++) {
                    http.createTask(listId, "from " + node.port() + " #" + i);
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientsSpreadOverThreeNodesEachGetTheirBoardsEventsOnceAndInOrder() throws Exception {
        List<TestServer> nodes = nodes(3);
        Http http = new Http(nodes.get(0));
        String board2List = http.firstListOf("board-2");
        Map<String, Follower> board1 = new java.util.LinkedHashMap<>();
        Map<String, Follower> board2 = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            board1.put("ws on node " + i, ws(nodes.get(i), "board-1"));
            board1.put("sse on node " + i, sse(nodes.get(i), "board-1"));
            board2.put("ws on node " + i, ws(nodes.get(i), "board-2"));
        }
        List<Future<?>> both = new ArrayList<>();
        ExecutorService boards = Executors.newFixedThreadPool(2);
        try {
            both.add(boards.submit(() -> {
                writeOnEvery(nodes, "list-todo", 15);
                return null;
            }));
            both.add(boards.submit(() -> {
                writeOnEvery(nodes, board2List, 10);
                return null;
            }));
            for (Future<?> future : both) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            boards.shutdownNow();
        }
        board1.forEach((who, follower) -> assertGets(follower, who + " (board-1)", 1, 45, Duration.ofSeconds(5)));
        board2.forEach((who, follower) -> assertGets(follower, who + " (board-2)", 1, 30, Duration.ofSeconds(5)));
    }

    @Test
    void aSocketOnOneNodeIsSparedTheChangeItCausedThroughAnother() {
        List<TestServer> nodes = nodes(2);
        WsClient cause = open(WsClient.connect(nodes.get(0)));
        cause.join("board-1");
        WsClient neighbour = open(WsClient.connect(nodes.get(0)));
        neighbour.join("board-1");
        WsClient elsewhere = open(WsClient.connect(nodes.get(1)));
        elsewhere.join("board-1");
        assertSparedItsOwnChange(new Http(nodes.get(1)), cause, List.of(neighbour, elsewhere));
    }

    /**
     * Through {@code http}, a change with {@code cause}'s socket id and then one without: the {@code others} get
     * both, {@code cause} only the second (event 2).
     */
    private static void assertSparedItsOwnChange(Http http, WsClient cause, List<WsClient> others) {
        Http.Reply spared = http.send("POST", "/tasks", "{\"title\":\"mine\",\"listId\":\"list-todo\"}",
                cause.socketId());
        assertEquals(201, spared.status(), spared.body());
        http.createTask("list-todo", "everyone's");
        for (WsClient client : others) {
            assertEquals("mine", client.await(ClusterTest::isTaskEvent).path("task").path("title").asText());
            assertEquals("everyone's", client.await(ClusterTest::isTaskEvent).path("task").path("title").asText());
        }
        JsonNode first = cause.await(ClusterTest::isTaskEvent);
        assertEquals(2, first.path("seq").asLong(), "the socket was spared event 1, its own: " + first);
    }

    private static boolean isTaskEvent(JsonNode message) {
        return message.path("type").asText().startsWith("task_");
    }

    @Test
    void whileRedisIsDownEveryClientStillGetsEveryEventWithinSecondsAndInOrder() throws Exception {
        List<TestServer> nodes = nodes(3);
        List<Follower> followers = wsAndSseOnEvery(nodes);
        writeOnEvery(nodes, "list-todo", 3);
        for (Follower follower : followers) {
            assertGets(follower, "before the outage", 1, 9, Duration.ofSeconds(5));
        }
        TestRedis.stop();
        try {
            // one node writes at a time: the others have nothing of their own that shows a gap, only the sweep (once
            // a second) reads what Redis no longer carries
            long seq = 9;
            for (TestServer node : nodes) {
                new Http(node).createTask("list-todo", "during the outage");
                seq++;
                for (Follower follower : followers) {
                    assertGets(follower, "during the outage", seq, seq, Duration.ofMillis(2500));
                }
            }
        } finally {
            TestRedis.start();
        }
        // the fast path is back: every node reconnected and subscribed to the board's channel again by itself
        io.liveboard.support.Await.until("the three nodes follow board-1 on the restarted Redis",
                () -> subscribers("board-1") == 3);
        writeOnEvery(nodes, "list-todo", 3);
        for (Follower follower : followers) {
            assertGets(follower, "after the outage", 13, 21, Duration.ofSeconds(5));
        }
    }

    @Test
    void redisStoppedAndStartedWhileEveryNodeKeepsWritingLosesAndReordersNothing() throws Exception {
        List<TestServer> nodes = nodes(3);
        List<Follower> followers = wsAndSseOnEvery(nodes);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (TestServer node : nodes) {
            Http http = new Http(node);
            done.add(writers.submit(() -> {
                while (writing.get()) {
                    http.createTask("list-todo", "from " + node.port()); // a change never fails for want of Redis
                    created.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            io.liveboard.support.Await.until("some changes before the outage", () -> created.get() >= 10);
            TestRedis.stop();
            int before = created.get();
            long down = System.nanoTime();
            try {
                // long enough for the nodes to notice, and for the once-a-second read to carry events across
                io.liveboard.support.Await.until("changes for 1.5 s while Redis is down", () -> created.get()
                        >= before + 15 && System.nanoTime() - down >= TimeUnit.MILLISECONDS.toNanos(1500));
            } finally {
                TestRedis.start();
            }
            io.liveboard.support.Await.until("the three nodes follow board-1 on the restarted Redis",
                    () -> subscribers("board-1") == 3);
            int after = created.get();
            io.liveboard.support.Await.until("changes after the outage", () -> created.get() >= after + 15);
        } finally {
            writing.set(false);
        }
        for (Future<?> writer : done) {
            writer.get(30, TimeUnit.SECONDS);
        }
        long n = new Http(nodes.get(0)).get("/boards/board-1").json().path("seq").asLong();
        assertEquals(created.get(), n, "each change made one event");
        for (int i = 0; i < followers.size(); i++) {
            assertGets(followers.get(i), (i % 2 == 0 ? "ws" : "sse") + " on node " + i / 2, 1, n,
                    Duration.ofSeconds(5));
        }
    }

    @Test
    void aNodeThatCommitsButNeverPublishesStillReachesTheOthersWithinAboutASecond() {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config config = nodeConfig(database);
        TestServer silent = open(TestServer.startWithBus(config, SilentBus::new));
        TestServer a = open(TestServer.start(config));
        TestServer b = open(TestServer.start(config));
        Follower onA = ws(a, "board-1");
        Follower onB = sse(b, "board-1");
        Http http = new Http(silent);
        for (int i = 1; i <= 3; i++) {
            http.createTask("list-todo", "unpublished " + i);
        }
        assertGets(onA, "ws on a", 1, 3, Duration.ofMillis(2500));
        assertGets(onB, "sse on b", 1, 3, Duration.ofMillis(2500));
    }

    @Test
    void aSocketIsSparedItsChangeEvenWhenItsNodeReadsTheEventFromTheDatabase() {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config config = nodeConfig(database);
        TestServer silent = open(TestServer.startWithBus(config, SilentBus::new));
        TestServer a = open(TestServer.start(config));
        WsClient cause = open(WsClient.connect(a));
        cause.join("board-1");
        WsClient neighbour = open(WsClient.connect(a));
        neighbour.join("board-1");
        // through a node that never publishes: a has the events only from its reads of the database
        assertSparedItsOwnChange(new Http(silent), cause, List.of(neighbour));
    }

    @Test
    void anAckComesAfterTheOtherNodesEarlierEvents() {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config config = nodeConfig(database);
        TestServer silent = open(TestServer.startWithBus(config, SilentBus::new));
        TestServer node = open(TestServer.start(config));
        WsClient sender = open(WsClient.connect(node));
        sender.join("board-1");
        // event 1 reaches the sender's node only from the database; the sender's own command makes event 2 at once
        new Http(silent).createTask("list-todo", "elsewhere");
        sender.send("{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"mine\",\"ref\":7}");
        JsonNode first = sender.await(m -> isTaskEvent(m) || "ack".equals(m.path("type").asText()));
        assertEquals(1, first.path("seq").asLong(), "event 1 before the ack of event 2: " + first);
        JsonNode ack = sender.await(m -> isTaskEvent(m) || "ack".equals(m.path("type").asText()));
        assertEquals("ack", ack.path("type").asText(), ack.toString());
        assertEquals(2, ack.path("seq").asLong(), ack.toString());
    }

    @Test
    void aClientResumesOnAnotherNodeWithSince() {
        List<TestServer> nodes = nodes(3);
        Http first = new Http(nodes.get(0));
        WsClient before = open(WsClient.connect(nodes.get(0)));
        JsonNode joined = before.join("board-1");
        String epoch = joined.path("epoch").asText();
        for (int i = 1; i <= 3; i++) {
            first.createTask("list-todo", "seen " + i);
        }
        for (int seq = 1; seq <= 3; seq++) {
            assertEquals(seq, before.await(ClusterTest::isTaskEvent).path("seq").asLong());
        }
        before.close();
        Http second = new Http(nodes.get(1));
        for (int i = 4; i <= 6; i++) {
            second.createTask("list-todo", "missed " + i);
        }
        WsClient after = open(WsClient.connect(nodes.get(2)));
        after.send(Json.write(Map.of("type", "join", "boardId", "board-1", "since", 3, "epoch", epoch)));
        Consumer<Long> expect = seq -> assertEquals(seq, after.await(ClusterTest::isTaskEvent).path("seq").asLong());
        for (long seq = 4; seq <= 6; seq++) {
            expect.accept(seq);
        }
        first.createTask("list-todo", "live 7");
        expect.accept(7L);
    }

    @Test
    void aLongPollOnOneNodeIsAnsweredByAChangeThroughAnother() throws Exception {
        List<TestServer> nodes = nodes(2);
        Http poller = new Http(nodes.get(1));
        java.util.concurrent.CompletableFuture<Http.Reply> poll = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> poller.get("/boards/board-1/poll?after=0"), writers);
        // the poll waits, its board followed on Redis by node 1 (the one node with a member of board-1), until the
        // change made through node 0 reaches it
        io.liveboard.support.Await.until("node 1 follows board-1 on Redis", () -> subscribers("board-1") == 1);
        assertEquals(false, poll.isDone(), "the poll waits");
        JsonNode task = new Http(nodes.get(0)).createTask("list-todo", "through node 0");
        Http.Reply reply = poll.get(1500, TimeUnit.MILLISECONDS);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(1, reply.json().path("events").size(), reply.body());
        assertEquals(task, reply.json().path("events").path(0).path("task"), reply.body());
    }

    /** How many connections to Redis (nodes) follow the board's channel. */
    private static long subscribers(String boardId) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(TestRedis.url().url());
        try (var connection = client.connect()) {
            return connection.sync().pubsubNumsub("liveboard:board:" + boardId).getOrDefault(
                    "liveboard:board:" + boardId, 0L);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aNodeWhoseRedisCannotBeReachedDoesNotStartAndSaysWhy() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Config config = TestServer.fastConfig(TestPostgres.freshDatabase()).toBuilder()
                .redis(io.liveboard.config.RedisUrl.parse("redis://:secret@127.0.0.1:" + closed)).build();
        io.liveboard.App app = new io.liveboard.App(config);
        RedisUnreachableException refused = org.junit.jupiter.api.Assertions.assertThrows(
                RedisUnreachableException.class, app::start);
        String message = refused.getMessage();
        assertEquals("cannot reach Redis at redis://:***@127.0.0.1:" + closed + ": Connection refused", message);
    }
}
