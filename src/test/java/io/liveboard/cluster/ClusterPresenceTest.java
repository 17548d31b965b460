package io.liveboard.cluster;

import static io.liveboard.support.JsonFields.object;
import static io.liveboard.support.JsonFields.user;
import static io.liveboard.support.JsonFields.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.auth.User;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.json.Json;
import io.liveboard.realtime.PresenceDirectory;
import io.liveboard.realtime.RoomRegistry;
import io.liveboard.realtime.Transport;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestRedis;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence across nodes: two servers on one PostgreSQL database and one Redis ({@code --redis}), users on either.
 * One entry per user across nodes and tabs, announced on its first tab anywhere and its last; {@code viewers}, the
 * joiner's list and {@code GET …/presence} count every node; typing crosses nodes; {@code /admin/connections} adds
 * the nodes up; a node that dies without a word takes its users out of presence within its time to live (1.5 s here).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterPresenceTest {

    private static final String SECRET = "cluster-presence-secret-0123456789-abcdef";
    private static final JwtTokens TOKENS = new JwtTokens(SECRET, Clock.systemUTC());
    private static final String ALICE = TOKENS.issue("alice", "Alice", List.of("*"), Duration.ofHours(1));
    private static final String BOB = TOKENS.issue("bob", "Bob", List.of("*"), Duration.ofHours(1));
    private static final String CAROL = TOKENS.issue("carol", "Carol", List.of("*"), Duration.ofHours(1));
    private static final String DAN = TOKENS.issue("dan", "Dan", List.of("*"), Duration.ofHours(1));
    private static final Duration TTL = Duration.ofMillis(1500);

    private static Config node(Database.Postgres database) {
        return TestServer.fastConfig(database).toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET)
                .redis(TestRedis.url()).presenceTtl(TTL).build();
    }

    private static WsClient tab(TestServer server, String token) {
        return WsClient.connect(server, "/ws?token=" + token);
    }

    private static String newBoard(TestServer server, String name) {
        Http.Reply reply = new Http(server).post("/boards?token=" + ALICE, Json.write(Map.of("name", name)));
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("id").asText();
    }



    private static JsonNode presence(String board, String... idsAndNames) {
        return object("type", "presence", "boardId", board, "users", users(idsAndNames));
    }

    private static JsonNode rest(String board, String... idsAndNames) {
        return object("boardId", board, "users", users(idsAndNames));
    }

    private static JsonNode presenceOverRest(TestServer server, String board) {
        Http.Reply reply = new Http(server).get("/boards/" + board + "/presence?token=" + BOB);
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    private static JsonNode announcement(String type, String board, int viewers, String userId, String name) {
        return object("type", type, "boardId", board, "viewers", viewers, "user", user(userId, name));
    }

    private static JsonNode connections(TestServer server) {
        return new Http(server).get("/admin/connections?token=" + ALICE).json();
    }

    /** No presence news before a second join's {@code joined} (see the single-node presence tests). */
    private static void noAnnouncementBefore(WsClient client, String board) {
        Set<String> news = Set.of("user_joined", "user_left", "presence", "user_typing");
        client.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
        JsonNode next = client.await(m -> "joined".equals(m.path("type").asText())
                || news.contains(m.path("type").asText()));
        assertEquals("joined", next.path("type").asText(), "expected no presence news, got " + next);
    }

    @Test
    void usersOnTwoNodesAreOnePresenceWithTabsTypingAndConnectionsCountedEverywhere() {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TestServer a = TestServer.start(node(database)); TestServer b = TestServer.start(node(database))) {
            String board = newBoard(a, "Two nodes");
            try (WsClient alice = tab(a, ALICE); WsClient bob = tab(b, BOB)) {
                assertEquals(1, alice.join(board).path("viewers").asInt());
                assertEquals(presence(board, "alice", "Alice"), alice.awaitType("presence"));

                // Bob on the other node: Alice hears of him, with both nodes' sessions; Bob sees both
                assertEquals(2, bob.join(board).path("viewers").asInt());
                assertEquals(presence(board, "alice", "Alice", "bob", "Bob"), bob.awaitType("presence"));
                assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));
                assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(a, board));
                assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(b, board));
                Http.Reply page = new Http(b).get("/boards/" + board + "/presence?offset=1&limit=1&token=" + BOB);
                assertEquals(object("boardId", board, "users", users("bob", "Bob"), "total", 2), page.json());

                // a second tab of Bob's, on Alice's node: no news to anyone, opening or closing it
                try (WsClient bob2 = tab(a, BOB)) {
                    assertEquals(3, bob2.join(board).path("viewers").asInt());
                    assertEquals(presence(board, "alice", "Alice", "bob", "Bob"), bob2.awaitType("presence"));
                    noAnnouncementBefore(alice, board);
                    noAnnouncementBefore(bob, board);
                }
                Await.value("nodes / sockets on the board after Bob's second tab closed", "2 / 2",
                        () -> connections(a).path("nodes").size() + " / " + websocketsOn(a, board));
                noAnnouncementBefore(alice, board);
                noAnnouncementBefore(bob, board);
                assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(a, board));

                // typing crosses nodes, never back to the typist
                bob.send("{\"type\":\"typing\",\"boardId\":\"" + board + "\",\"taskId\":\"task-9\"}");
                assertEquals(object("type", "user_typing", "boardId", board, "user", user("bob", "Bob"), "typing",
                        true, "taskId", "task-9"), alice.awaitType("user_typing"));
                alice.send("{\"type\":\"typing\",\"boardId\":\"" + board + "\"}");
                assertEquals(object("type", "user_typing", "boardId", board, "user", user("alice", "Alice"),
                        "typing", true), bob.awaitType("user_typing"));
                alice.send("{\"type\":\"stop_typing\",\"boardId\":\"" + board + "\"}");
                assertEquals(object("type", "user_typing", "boardId", board, "user", user("alice", "Alice"),
                        "typing", false), bob.awaitType("user_typing"));
                noAnnouncementBefore(alice, board);

                // /admin/connections: every live node, and the sum, on either node
                for (TestServer server : List.of(a, b)) {
                    Await.value("the cluster's sockets on the board as port " + server.port() + " counts them", 2,
                            () -> websocketsOn(server, board));
                    JsonNode counts = connections(server);
                    assertEquals(2, counts.path("websocket").asInt(), counts.toString());
                    assertEquals(0, counts.path("sse").asInt(), counts.toString());
                    assertEquals(2, counts.path("nodes").size(), counts.toString());
                    counts.path("nodes").forEach(one -> assertEquals(object("websocket", 1, "sse", 0), one));
                }

                // Bob's last tab anywhere closes: now he is gone, once
                bob.close();
                assertEquals(announcement("user_left", board, 1, "bob", "Bob"), alice.awaitType("user_left"));
                assertEquals(rest(board, "alice", "Alice"), presenceOverRest(b, board));
                noAnnouncementBefore(alice, board);
            }
        }
    }

    private static int websocketsOn(TestServer server, String board) {
        return connections(server).path("boards").path(board).path("websocket").asInt();
    }

    @Test
    void aCrowdIsCountedOverEveryNodeAndEachNodeTellsItsOwnRoomInCounts() {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config crowdOfTwo = node(database).toBuilder().crowd(2).build();
        try (TestServer a = TestServer.start(crowdOfTwo); TestServer b = TestServer.start(crowdOfTwo);
                WsClient alice = tab(a, ALICE); WsClient bob = tab(b, BOB); WsClient carol = tab(b, CAROL)) {
            String board = newBoard(a, "A crowd on two nodes");
            alice.join(board);
            bob.join(board);
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));
            // the third session anywhere makes the room a crowd on both nodes: counts, once per window
            carol.join(board);
            JsonNode counts = object("type", "presence_changed", "boardId", board, "viewers", 3, "total", 3,
                    "joined", 1, "left", 0);
            assertEquals(counts, alice.await(m -> m.path("type").asText().matches("user_joined|presence_changed")));
            assertEquals(counts, bob.await(m -> m.path("type").asText().matches("user_joined|presence_changed")));
        }
    }

    @Test
    void aNodeThatStopsTakesItsUsersOutOfPresenceAtOnce() {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TestServer a = TestServer.start(node(database)); TestServer b = TestServer.start(node(database));
                WsClient alice = tab(a, ALICE)) {
            String board = newBoard(a, "A node stops");
            alice.join(board);
            try (WsClient carol = tab(b, CAROL)) {
                carol.join(board);
                assertEquals(announcement("user_joined", board, 2, "carol", "Carol"), alice.awaitType("user_joined"));
                // an SSE viewer on the other node is present too (and not a WebSocket session)
                try (SseClient dan = SseClient.open(b, "/events?boards=" + board + "&token=" + DAN)) {
                    assertEquals(announcement("user_joined", board, 2, "dan", "Dan"), alice.awaitType("user_joined"));
                    assertEquals(rest(board, "alice", "Alice", "carol", "Carol", "dan", "Dan"),
                            presenceOverRest(a, board));
                    long start = System.nanoTime();
                    b.stop();
                    Set<JsonNode> left = Set.of(alice.awaitType("user_left"), alice.awaitType("user_left"));
                    assertEquals(Set.of(announcement("user_left", board, 1, "carol", "Carol"),
                            announcement("user_left", board, 1, "dan", "Dan")), left);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < TTL.toMillis(), "told in " + millis + " ms, before the entries would expire");
                    noAnnouncementBefore(alice, board);
                    assertEquals(rest(board, "alice", "Alice"), presenceOverRest(a, board));
                }
            }
        }
    }

    @Test
    void afterRedisRestartsEveryNodeWritesItsUsersAgainAndNewsCrossesAgain() {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TestServer a = TestServer.start(node(database)); TestServer b = TestServer.start(node(database));
                WsClient alice = tab(a, ALICE); WsClient bob = tab(b, BOB); WsClient carol = tab(b, CAROL);
                WsClient dan = tab(b, DAN)) {
            String board = newBoard(a, "Redis restarts");
            alice.join(board);
            bob.join(board);
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));

            TestRedis.stop();
            try {
                // while Redis is away a node still tells its own room, from what it knows
                carol.join(board);
                assertEquals(announcement("user_joined", board, 2, "carol", "Carol"), bob.awaitType("user_joined"));
                bob.close();
                assertEquals(announcement("user_left", board, 1, "bob", "Bob"), carol.awaitType("user_left"));
            } finally {
                TestRedis.start(); // empty: it keeps nothing on disk
            }
            Await.until("the users listed on the other node once Redis is back", Duration.ofSeconds(10),
                    () -> rest(board, "alice", "Alice", "carol", "Carol").equals(presenceOverRest(a, board)));
            // and what the other node's room missed meanwhile is told there, once
            Set<JsonNode> missed = Set.of(alice.await(m -> m.path("type").asText().startsWith("user_")),
                    alice.await(m -> m.path("type").asText().startsWith("user_")));
            assertEquals(Set.of(announcement("user_joined", board, 2, "carol", "Carol"),
                    announcement("user_left", board, 2, "bob", "Bob")), missed);
            dan.join(board);
            assertEquals(announcement("user_joined", board, 3, "dan", "Dan"), alice.awaitType("user_joined"));
            noAnnouncementBefore(alice, board);
        }
    }

    @Test
    void aNodeThatDiesWithoutAWordLosesItsUsersWithinItsTimeToLive() {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (TestServer a = TestServer.start(node(database)); WsClient alice = tab(a, ALICE);
                RedisResources resources = new RedisResources()) {
            String board = newBoard(a, "A node dies");
            alice.join(board);
            alice.awaitType("presence");

            // a node of the cluster (its presence directory, as App builds it) with Dan on the board
            RedisPresenceDirectory doomed = RedisPresenceDirectory.connect(TestRedis.url(), resources,
                    new RoomRegistry(), new RoomRegistry(), TTL);
            doomed.listen(new PresenceDirectory.Listener() {
                @Override
                public void joined(String boardId, User user) {
                }

                @Override
                public void left(String boardId, User user) {
                }

                @Override
                public void typing(String boardId, User user, boolean typing, String taskId) {
                }
            });
            assertTrue(doomed.arrived(board, new User("dan", "Dan"), Transport.WEBSOCKET, true), "Dan's first tab");
            assertEquals(announcement("user_joined", board, 1, "dan", "Dan"), alice.awaitType("user_joined"));
            assertEquals(rest(board, "alice", "Alice", "dan", "Dan"), presenceOverRest(a, board));

            // it stops refreshing and drops its connections, leaving its entries behind
            long start = System.nanoTime();
            doomed.abandon();
            assertEquals(announcement("user_left", board, 1, "dan", "Dan"), alice.awaitType("user_left"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < TTL.toMillis() * 3, "Dan left after " + millis + " ms");
            assertEquals(rest(board, "alice", "Alice"), presenceOverRest(a, board));
            noAnnouncementBefore(alice, board);
        }
    }
}
