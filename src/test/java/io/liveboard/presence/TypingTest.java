package io.liveboard.presence;

import static io.liveboard.support.JsonFields.object;
import static io.liveboard.support.JsonFields.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Typing indicators ({@code --auth token}): {@code typing} tells the other members
 * {@code user_typing … typing:true}, {@code stop_typing} {@code typing:false}; typing ends by itself 5 s after
 * the last {@code typing}; leaving or closing while typing ends it before the user is announced gone; typing
 * on a board the socket has not joined is refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TypingTest extends TokenServerTest {

    private static final Set<String> NEWS = Set.of("user_typing", "user_left", "user_joined");

    @Test
    void typingAndStopTypingReachTheOthersOnceEachAndNotTheTypist() {
        String board = newBoard("Typing");
        try (WsClient alice = tab(ALICE); WsClient bob = tab(BOB); WsClient carol = tab(CAROL)) {
            alice.join(board);
            bob.join(board);
            carol.join(board);
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));
            assertEquals(announcement("user_joined", board, 3, "carol", "Carol"), alice.awaitType("user_joined"));
            assertEquals(announcement("user_joined", board, 3, "carol", "Carol"), bob.awaitType("user_joined"));

            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));
            assertEquals(typingNews(board, "alice", "Alice", true), carol.awaitType("user_typing"));
            noAnnouncementBefore(alice, board);

            // typing again while typing is no news
            alice.send(typing(board));
            noAnnouncementBefore(alice, board);
            noAnnouncementBefore(bob, board);

            alice.send(stopTyping(board));
            assertEquals(typingNews(board, "alice", "Alice", false), bob.awaitType("user_typing"));
            assertEquals(typingNews(board, "alice", "Alice", false), carol.awaitType("user_typing"));
            noAnnouncementBefore(alice, board);

            // stopping when not typing is no news either
            alice.send(stopTyping(board));
            noAnnouncementBefore(alice, board);
            noAnnouncementBefore(bob, board);

            // Bob's typing is Bob's
            bob.send(typing(board));
            assertEquals(typingNews(board, "bob", "Bob", true), alice.awaitType("user_typing"));
            bob.send(stopTyping(board));
            assertEquals(typingNews(board, "bob", "Bob", false), alice.awaitType("user_typing"));
        }
    }

    @Test
    void typingEndsByItselfFiveSecondsAfterTheLastTypingAndOnlyTheOthersAreTold() throws InterruptedException {
        String board = newBoard("Typing expires");
        try (WsClient alice = tab(ALICE); WsClient bob = tab(BOB)) {
            alice.join(board);
            bob.join(board);
            alice.awaitType("presence");
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));

            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));
            long first = System.nanoTime();
            // a second typing 2 s later (a deliberate gap, not a wait for something) moves the end to 5 s after it
            Thread.sleep(2_000);
            alice.send(typing(board));
            long second = System.nanoTime();

            JsonNode end = bob.await(m -> NEWS.contains(m.path("type").asText()), Duration.ofSeconds(10));
            long afterFirst = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first);
            long afterSecond = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - second);
            assertEquals(typingNews(board, "alice", "Alice", false), end);
            assertTrue(afterFirst >= 6_000, "typing ended " + afterFirst + " ms after the first typing: "
                    + "the second typing did not keep it going");
            assertTrue(afterSecond >= 4_500 && afterSecond <= 8_000,
                    "typing ended " + afterSecond + " ms after the last typing, expected about 5 s");
            assertTrue(bob.isOpen() && alice.isOpen());

            // and it can start again
            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));
            alice.send(stopTyping(board));
            assertEquals(typingNews(board, "alice", "Alice", false), bob.awaitType("user_typing"));

            // the end of the typing went to the others only, like its start and the explicit stop: joining again
            // (on the fan-out thread, after the expiry) answers Alice with joined and nothing before it
            alice.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
            JsonNode next = alice.await(m -> "joined".equals(m.path("type").asText()) || NEWS.contains(m.path("type").asText()));
            assertEquals("joined", next.path("type").asText(), "the typist was told of the end of its own typing: " + next);
        }
    }

    @Test
    void leavingWhileTypingEndsTheTypingThenTheUserLeaves() {
        String board = newBoard("Leave while typing");
        try (WsClient alice = tab(ALICE); WsClient bob = tab(BOB)) {
            alice.join(board);
            bob.join(board);
            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));

            alice.send(leave(board));

            assertEquals(typingNews(board, "alice", "Alice", false), bob.await(m -> NEWS.contains(m.path("type").asText())));
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"),
                    bob.await(m -> NEWS.contains(m.path("type").asText())));
            assertEquals(object("type", "left", "boardId", board), alice.awaitType("left"));
            // gone is gone: no late typing:false when the 5 s would have run out
            alice.send(typing(board));
            assertEquals(object("error", "Join the board first"), alice.awaitError());
        }
    }

    @Test
    void closingWhileTypingEndsTheTypingThenTheUserLeaves() {
        String board = newBoard("Close while typing");
        try (WsClient bob = tab(BOB)) {
            bob.join(board);
            WsClient alice = tab(ALICE);
            alice.join(board);
            assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));
            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));

            alice.close();

            assertEquals(typingNews(board, "alice", "Alice", false), bob.await(m -> NEWS.contains(m.path("type").asText())));
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"),
                    bob.await(m -> NEWS.contains(m.path("type").asText())));
        }
    }

    /**
     * "Closing while typing also sends typing:false" holds for the tab that typed even when the user has
     * another tab on the board: the user is still there (no user_left) but is no longer typing.
     */
    @Test
    void closingTheTypingTabWhileAnotherTabStaysEndsTheTypingAtOnce() {
        String board = newBoard("Close the typing tab");
        try (WsClient bob = tab(BOB); WsClient aliceStays = tab(ALICE)) {
            bob.join(board);
            aliceStays.join(board);
            WsClient aliceTyping = tab(ALICE);
            aliceTyping.join(board);
            aliceTyping.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));

            aliceTyping.close();
            Await.value("sockets on the board", 2, () -> websocketsOn(board));

            assertTypingEndedBeforeRejoin(bob, board);
        }
    }

    @Test
    void leavingWithTheTypingTabWhileAnotherTabStaysEndsTheTypingAtOnce() {
        String board = newBoard("Leave with the typing tab");
        try (WsClient bob = tab(BOB); WsClient aliceStays = tab(ALICE); WsClient aliceTyping = tab(ALICE)) {
            bob.join(board);
            aliceStays.join(board);
            aliceTyping.join(board);
            aliceTyping.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));

            aliceTyping.send(leave(board));
            aliceTyping.awaitType("left");

            assertTypingEndedBeforeRejoin(bob, board);
        }
    }

    /**
     * The tab's departure was handled on the fan-out thread before Bob's join again: a typing:false it caused
     * comes before Bob's {@code joined}, long before the 5 s expiry would send one; Alice, still there with
     * her other tab, is not announced gone.
     */
    private static void assertTypingEndedBeforeRejoin(WsClient bob, String board) {
        bob.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
        JsonNode next = bob.await(m -> "joined".equals(m.path("type").asText()) || NEWS.contains(m.path("type").asText()));
        assertEquals(typingNews(board, "alice", "Alice", false), next,
                "the tab that was typing is gone: Bob should hear at once that Alice stopped typing");
        noAnnouncementBefore(bob, board);
    }

    @Test
    void typingWithoutHavingJoinedIsRefusedAndTheSocketStaysUsable() {
        String board = newBoard("Typing unjoined");
        String other = newBoard("Typing elsewhere");
        try (WsClient alice = tab(ALICE); WsClient aliceOtherTab = tab(ALICE); WsClient bob = tab(BOB)) {
            bob.join(board);
            alice.join(other);
            aliceOtherTab.join(board);
            assertEquals(announcement("user_joined", board, 2, "alice", "Alice"), bob.awaitType("user_joined"));

            // never joined this board (though another tab of the same user did)
            alice.send(typing(board));
            assertEquals(object("error", "Join the board first"), alice.awaitError());
            alice.send(stopTyping(board));
            assertEquals(object("error", "Join the board first"), alice.awaitError());
            // a board that does not exist is no different
            alice.send(typing("board-nope"));
            assertEquals(object("error", "Join the board first"), alice.awaitError());
            // no boardId, a bad one
            alice.send("{\"type\":\"typing\"}");
            assertEquals(object("error", "boardId is required"), alice.awaitError());
            alice.send("{\"type\":\"typing\",\"boardId\":7}");
            assertEquals(object("error", "boardId must be a string"), alice.awaitError());
            alice.send("{\"type\":\"typing\",\"boardId\":\"no/such\"}");
            assertEquals(object("error", "Invalid boardId"), alice.awaitError());
            noAnnouncementBefore(bob, board);

            // after leaving, too
            aliceOtherTab.send(leave(board));
            aliceOtherTab.awaitType("left");
            assertEquals(announcement("user_left", board, 1, "alice", "Alice"), bob.awaitType("user_left"));
            aliceOtherTab.send(typing(board));
            assertEquals(object("error", "Join the board first"), aliceOtherTab.awaitError());
            noAnnouncementBefore(bob, board);

            // the refused socket still works
            alice.send(typing(other));
            alice.join(board);
            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));
            alice.send(stopTyping(board));
            assertEquals(typingNews(board, "alice", "Alice", false), bob.awaitType("user_typing"));
        }
    }
    @Test
    void typingOnACardNamesItAndMovingToAnotherCardIsNews() {
        String board = newBoard("Typing on cards");
        try (WsClient alice = tab(ALICE); WsClient bob = tab(BOB)) {
            alice.join(board);
            bob.join(board);
            assertEquals(announcement("user_joined", board, 2, "bob", "Bob"), alice.awaitType("user_joined"));

            alice.send(typingOn(board, "task-7"));
            assertEquals(typingNewsOn(board, true, "task-7"), bob.awaitType("user_typing"));
            // the same card again is no news; another card is
            alice.send(typingOn(board, "task-7"));
            noAnnouncementBefore(bob, board);
            alice.send(typingOn(board, "task-9"));
            assertEquals(typingNewsOn(board, true, "task-9"), bob.awaitType("user_typing"));
            // stopping names the card the others were told about, so that they clear it
            alice.send(stopTyping(board));
            assertEquals(typingNewsOn(board, false, "task-9"), bob.awaitType("user_typing"));
            noAnnouncementBefore(alice, board);

            // a taskId that is no id is refused and the socket carries on
            alice.send("{\"type\":\"typing\",\"boardId\":\"" + board + "\",\"taskId\":7}");
            assertEquals(object("error", "Invalid taskId"), alice.awaitError());
            alice.send("{\"type\":\"typing\",\"boardId\":\"" + board + "\",\"taskId\":\"a b\"}");
            assertEquals(object("error", "Invalid taskId"), alice.awaitError());
            noAnnouncementBefore(bob, board);
            alice.send(typing(board));
            assertEquals(typingNews(board, "alice", "Alice", true), bob.awaitType("user_typing"));
        }
    }

    private static JsonNode typingNewsOn(String board, boolean typing, String taskId) {
        return object("type", "user_typing", "boardId", board, "user", user("alice", "Alice"), "typing", typing,
                "taskId", taskId);
    }

    private static String typingOn(String board, String taskId) {
        return "{\"type\":\"typing\",\"boardId\":\"" + board + "\",\"taskId\":\"" + taskId + "\"}";
    }
}
