package io.liveboard.presence;

import static io.liveboard.support.JsonFields.object;
import static io.liveboard.support.JsonFields.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence with {@code --auth token}: one entry per user however many tabs (WebSocket sockets and SSE
 * streams) it has on a board, in order of arrival; {@code user_joined} only for a user's first tab and
 * {@code user_left} only for its last; {@code GET /boards/{id}/presence} agrees at every step.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PresenceTest extends TokenServerTest {

    @Test
    void twoUsersThreeTabsAreTwoEntriesAnnouncedOnFirstArrivalAndLastDeparture() {
        String board = newBoard("Two users, three tabs");
        try (WsClient alice1 = tab(ALICE); WsClient bob = tab(BOB)) {
            assertEquals(object("type", "connected", "socketId", alice1.socketId(), "user", user("alice", "Alice")),
                    alice1.drain().get(0));

            // Alice, tab 1
            alice1.join(board);
            assertEquals(presence(board, "alice", "Alice"), alice1.awaitType("presence"));
            assertEquals(rest(board, "alice", "Alice"), presenceOverRest(board));

            // Bob: Alice hears of him, Bob sees both in order of arrival
            assertEquals(2, bob.join(board).path("viewers").asInt());
            assertEquals(presence(board, "alice", "Alice", "bob", "Bob"), bob.awaitType("presence"));
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice1.awaitType("user_joined"));
            assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(board));

            // Alice, tab 2: a second tab of a user already there is no news to anyone
            try (WsClient alice2 = tab(ALICE)) {
                assertEquals(3, alice2.join(board).path("viewers").asInt());
                assertEquals(presence(board, "alice", "Alice", "bob", "Bob"), alice2.awaitType("presence"));
                noAnnouncementBefore(bob, board);
                noAnnouncementBefore(alice1, board);
                assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(board));

                // Alice closes tab 1: she still has tab 2, so nobody hears she left
                alice1.close();
                Await.value("sockets on the board after Alice's first tab closed", 2, () -> websocketsOn(board));
                noAnnouncementBefore(bob, board);
                noAnnouncementBefore(alice2, board);
                assertEquals(rest(board, "alice", "Alice", "bob", "Bob"), presenceOverRest(board));
            }

            // ... and tab 2: now she is gone
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"), bob.awaitType("user_left"));
            assertEquals(rest(board, "bob", "Bob"), presenceOverRest(board));
            noAnnouncementBefore(bob, board);

            // coming back puts her after Bob
            try (WsClient alice3 = tab(ALICE)) {
                alice3.join(board);
                assertEquals(presence(board, "bob", "Bob", "alice", "Alice"), alice3.awaitType("presence"));
                assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));
                assertEquals(rest(board, "bob", "Bob", "alice", "Alice"), presenceOverRest(board));
            }
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"), bob.awaitType("user_left"));
        }
    }

    @Test
    void leaveIsALastTabLeavingTooAndRejoiningAnnouncesAgain() {
        String board = newBoard("Leave and rejoin");
        try (WsClient alice1 = tab(ALICE); WsClient alice2 = tab(ALICE); WsClient bob = tab(BOB)) {
            bob.join(board);
            alice1.join(board);
            alice2.join(board);
            assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));

            alice1.send(leave(board));
            alice1.awaitType("left");
            noAnnouncementBefore(bob, board);
            assertEquals(rest(board, "bob", "Bob", "alice", "Alice"), presenceOverRest(board));

            alice2.send(leave(board));
            alice2.awaitType("left");
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"), bob.awaitType("user_left"));
            assertEquals(rest(board, "bob", "Bob"), presenceOverRest(board));

            alice1.join(board);
            assertEquals(presence(board, "bob", "Bob", "alice", "Alice"), alice1.awaitType("presence"));
            assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));
        }
    }

    @Test
    void anSseStreamOfAUserCountsAsOneOfItsTabs() {
        String board = newBoard("SSE tabs");
        try (WsClient bob = tab(BOB)) {
            bob.join(board);

            // Carol only follows over SSE: she is there, and the room hears of her (viewers: WebSockets only)
            SseClient carol = SseClient.open(server, "/boards/" + board + "/events",
                    Map.of("Authorization", "Bearer " + CAROL));
            try {
                assertEquals(200, carol.status());
                assertEquals(announcement("user_joined", board, 1, "carol", "Carol"), bob.awaitType("user_joined"));
                assertEquals(rest(board, "bob", "Bob", "carol", "Carol"), presenceOverRest(board));

                // Alice over WebSocket, then also over SSE (one more tab: no news)
                try (WsClient alice = tab(ALICE)) {
                    alice.join(board);
                    assertEquals(presence(board, "bob", "Bob", "carol", "Carol", "alice", "Alice"), alice.awaitType("presence"));
                    assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));
                    SseClient aliceStream = SseClient.open(server, "/events?boards=" + board + "&token=" + ALICE);
                    try {
                        assertEquals(200, aliceStream.status());
                        Await.value("SSE streams on the board", 2, () -> streamsOn(board));
                        noAnnouncementBefore(bob, board);
                        assertEquals(rest(board, "bob", "Bob", "carol", "Carol", "alice", "Alice"), presenceOverRest(board));

                        // Alice closes her socket: her stream keeps her there
                        alice.close();
                        Await.value("sockets on the board", 1, () -> websocketsOn(board));
                        noAnnouncementBefore(bob, board);
                        assertEquals(rest(board, "bob", "Bob", "carol", "Carol", "alice", "Alice"), presenceOverRest(board));
                    } finally {
                        aliceStream.close();
                    }
                    // ... and her stream: now she is gone
                    assertEquals(announcement("user_left", board, 1, "alice", "Alice"), bob.awaitType("user_left"));
                    assertEquals(rest(board, "bob", "Bob", "carol", "Carol"), presenceOverRest(board));
                }
            } finally {
                carol.close();
            }
            assertEquals(announcement("user_left", board, 1, "carol", "Carol"), bob.awaitType("user_left"));
            assertEquals(rest(board, "bob", "Bob"), presenceOverRest(board));
            noAnnouncementBefore(bob, board);
        }
    }

    @Test
    void aStreamOfSeveralBoardsIsATabOnEachAndPresenceIsPerBoard() {
        String one = newBoard("Several one");
        String two = newBoard("Several two");
        try (WsClient bobOnOne = tab(BOB); WsClient aliceOnTwo = tab(ALICE)) {
            bobOnOne.join(one);
            aliceOnTwo.join(two);
            try (SseClient carol = SseClient.open(server, "/events?boards=" + one + "," + two,
                    Map.of("Authorization", "Bearer " + CAROL))) {
                assertEquals(200, carol.status());
                assertEquals(announcement("user_joined", one, 1, "carol", "Carol"), bobOnOne.awaitType("user_joined"));
                assertEquals(announcement("user_joined", two, 1, "carol", "Carol"), aliceOnTwo.awaitType("user_joined"));
                assertEquals(rest(one, "bob", "Bob", "carol", "Carol"), presenceOverRest(one));
                assertEquals(rest(two, "alice", "Alice", "carol", "Carol"), presenceOverRest(two));
            }
            // the stream closed
            assertEquals(announcement("user_left", one, 1, "carol", "Carol"), bobOnOne.awaitType("user_left"));
            assertEquals(announcement("user_left", two, 1, "carol", "Carol"), aliceOnTwo.awaitType("user_left"));
            assertEquals(rest(one, "bob", "Bob"), presenceOverRest(one));
            assertEquals(rest(two, "alice", "Alice"), presenceOverRest(two));
        }
    }

    @Test
    void presenceOfAnEmptyBoardIsEmptyAndOfAnUnknownBoardIs404() {
        String board = newBoard("Nobody here");
        assertEquals(rest(board), presenceOverRest(board));
        Http.Reply unknown = http.get("/boards/board-nope/presence?token=" + ALICE);
        assertEquals(404, unknown.status(), unknown.body());
        Http.Reply anonymous = http.get("/boards/" + board + "/presence");
        assertEquals(401, anonymous.status(), anonymous.body());
        assertEquals(object("error", "Unauthorized"), anonymous.json());
    }
}
