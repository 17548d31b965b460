package io.liveboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The large-room rule, on a server whose crowd starts above 3 WebSocket sessions: a small room is told of
 * each arrival and departure ({@code user_joined}/{@code user_left}); a crowd gets {@code presence_changed}
 * with counts, at most one a second, and a joiner's presence list holds the first 3 users and the total.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrowdPresenceTest {

    private static final int CROWD = 3;
    private static final Set<String> NEWS = Set.of("user_joined", "user_left", "presence_changed");

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TestServer.fastConfig().toBuilder().crowd(CROWD).build());
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aCrowdGetsCountsOncePerWindowInsteadOfEachArrivalAndDeparture() {
        String board = http.newBoard("Crowd");
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                WsClient client = WsClient.connect(server);
                client.join(board);
                clients.add(client);
            }
            WsClient first = clients.get(0);
            // a room of 2 and 3 is small: one user_joined each
            assertEquals(2, first.awaitType("user_joined").path("viewers").asInt());
            assertEquals(3, first.awaitType("user_joined").path("viewers").asInt());
            // from the 4th join on, counts: every join counted once, whatever the windows they fell in
            int joined = 0;
            JsonNode last = null;
            while (joined < 7) {
                last = first.await(m -> NEWS.contains(m.path("type").asText()));
                assertEquals("presence_changed", last.path("type").asText(), last.toString());
                assertEquals(Set.of("type", "boardId", "viewers", "total", "joined", "left"), names(last));
                assertEquals(board, last.path("boardId").asText());
                assertEquals(0, last.path("left").asInt());
                joined += last.path("joined").asInt();
            }
            assertEquals(7, joined);
            assertEquals(10, last.path("viewers").asInt());
            assertEquals(10, last.path("total").asInt());
            // the last joiner hears of no one's arrival one by one: its own came after the room was a crowd
            assertTrue(clients.get(9).drain().stream().noneMatch(m -> "user_joined".equals(m.path("type").asText())));

            // five leave at once: one count for them all (or a few, if they straddle a window), no user_left
            for (int i = 5; i < 10; i++) {
                clients.get(i).close();
            }
            int left = 0;
            while (left < 5) {
                last = first.await(m -> NEWS.contains(m.path("type").asText()));
                assertEquals("presence_changed", last.path("type").asText(), last.toString());
                left += last.path("left").asInt();
            }
            assertEquals(5, left);
            assertEquals(5, last.path("viewers").asInt());
            assertEquals(5, last.path("total").asInt());

            // back to a small room: once the crowd's window has passed, departures are named again
            clients.get(4).close();
            JsonNode news = first.await(m -> NEWS.contains(m.path("type").asText()));
            assertEquals("presence_changed", news.path("type").asText(), "4 sessions are still a crowd: " + news);
            assertEquals(1, news.path("left").asInt());
            clients.get(3).close();
            news = first.await(m -> NEWS.contains(m.path("type").asText()));
            assertEquals("user_left", news.path("type").asText(), news.toString());
            assertEquals(3, news.path("viewers").asInt());
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aMemberGetsAtMostOneAnnouncementPerWindowHoweverFastTheRoomFills() throws Exception {
        String board = http.newBoard("Burst");
        List<WsClient> clients = new ArrayList<>();
        try {
            WsClient watcher = WsClient.connect(server);
            watcher.join(board);
            clients.add(watcher);
            long start = System.nanoTime();
            for (int i = 0; i < 60; i++) {
                WsClient client = WsClient.connect(server);
                client.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
                clients.add(client);
            }
            for (WsClient client : clients.subList(1, clients.size())) {
                client.awaitType("joined");
            }
            int joined = 0;
            int announcements = 0;
            while (joined < 60) {
                JsonNode news = watcher.await(m -> NEWS.contains(m.path("type").asText()));
                announcements++;
                joined += "user_joined".equals(news.path("type").asText()) ? 1 : news.path("joined").asInt();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // named one by one while the room is small (up to 3 sessions: 2 joins), then one per window (1 s)
            assertTrue(announcements <= 2 + Math.ceil(seconds) + 1,
                    announcements + " announcements for 60 joins in " + seconds + " s");
            assertEquals(60, joined);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aJoinersPresenceListIsCappedAndTheRestIsPagedOverRest() {
        String board = http.newBoard("Paged");
        List<WsClient> clients = new ArrayList<>();
        try {
            List<String> userIds = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                WsClient client = WsClient.connect(server);
                client.join(board);
                JsonNode presence = client.awaitType("presence");
                userIds.add("guest-" + client.socketId().substring(0, 8));
                clients.add(client);
                if (i < CROWD) {
                    assertFalse(presence.has("total"), "the whole list needs no total: " + presence);
                    assertEquals(i + 1, presence.path("users").size());
                } else {
                    assertEquals(CROWD, presence.path("users").size(), presence.toString());
                    assertEquals(i + 1, presence.path("total").asInt(), presence.toString());
                    assertEquals(userIds.subList(0, CROWD), ids(presence));
                }
            }
            JsonNode all = http.get("/boards/" + board + "/presence").json();
            assertEquals(userIds, ids(all));
            assertFalse(all.has("total"));

            JsonNode page = http.get("/boards/" + board + "/presence?offset=2&limit=3").json();
            assertEquals(userIds.subList(2, 5), ids(page));
            assertEquals(6, page.path("total").asInt());
            JsonNode tail = http.get("/boards/" + board + "/presence?offset=4&limit=3").json();
            assertEquals(userIds.subList(4, 6), ids(tail));
            assertEquals(6, tail.path("total").asInt());
            assertEquals(0, http.get("/boards/" + board + "/presence?offset=9").json().path("users").size());

            assertEquals(400, http.get("/boards/" + board + "/presence?limit=0").status());
            Http.Reply negative = http.get("/boards/" + board + "/presence?offset=-1");
            assertEquals(400, negative.status());
            assertEquals("offset must be a non-negative integer", negative.json().path("error").asText());
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    private static List<String> ids(JsonNode presence) {
        List<String> ids = new ArrayList<>();
        presence.path("users").forEach(u -> ids.add(u.path("userId").asText()));
        return ids;
    }

    private static Set<String> names(JsonNode message) {
        Set<String> names = new HashSet<>();
        message.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
