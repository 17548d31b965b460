package io.liveboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.BoardEvent;
import io.liveboard.realtime.EventBus;
import io.liveboard.realtime.EventBusContract;
import io.liveboard.support.Await;
import io.liveboard.support.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bus contract through a real Redis ({@link TestRedis}), and what a bus between nodes promises besides: events
 * of the boards a node follows, the others not, each once, as they were published.
 */
class RedisEventBusTest extends EventBusContract {

    /** What every bus of this class runs on, as one node's bus and presence share theirs. */
    private static final RedisResources RESOURCES = new RedisResources();

    @AfterAll
    static void closeResources() {
        RESOURCES.close();
    }

    @Override
    protected EventBus newBus() {
        return RedisEventBus.connect(TestRedis.url(), RESOURCES);
    }

    @Test
    void anotherNodeGetsTheEventsOfTheBoardsItFollowsOnceAndInOrder() {
        EventBus a = bus();
        EventBus b = bus();
        List<BoardEvent> atA = new CopyOnWriteArrayList<>();
        List<BoardEvent> atB = new CopyOnWriteArrayList<>();
        a.subscribe(atA::add);
        b.subscribe(atB::add);
        a.follow("board-1");
        b.follow("board-1");
        // the subscriptions are asynchronous: probe until one gets through (probes are numbered below 0)
        AtomicInteger probe = new AtomicInteger();
        Await.until("b is subscribed to board-1", () -> {
            a.publish(event("board-1", -probe.incrementAndGet(), null));
            return atB.stream().anyMatch(e -> e.seq() < 0);
        });
        Await.until("a is subscribed to board-1", () -> {
            b.publish(event("board-1", -1_000_000 - probe.incrementAndGet(), null)); // b's probes: below -1000000
            return atA.stream().anyMatch(e -> e.seq() <= -1_000_000);
        });
        // probes still on their way are left out below (negative numbers)

        List<BoardEvent> published = new ArrayList<>();
        for (int seq = 1; seq <= 200; seq++) {
            BoardEvent other = event("board-2", seq, null); // a board b does not follow
            a.publish(other);
            BoardEvent event = event("board-1", seq, seq % 3 == 0 ? "socket-" + seq : null);
            published.add(event);
            a.publish(event);
        }
        Await.until("b has the 200 events of board-1", () -> notProbes(atB).size() >= 200);
        assertEquals(wire(published), wire(notProbes(atB)),
                "board-1's events, as published, with whom they spare; no board-2");
        BoardEvent marker = event("board-1", 1000, null);
        b.publish(marker);
        Await.until("a has b's marker", () -> atA.stream().anyMatch(e -> e.seq() == 1000));
        assertEquals(200 * 2 + 1, notProbes(atA).size(),
                "a's own 400 once (not again through the broker), and b's marker");

        b.unfollow("board-1");
        b.follow("board-3");
        // b's subscription commands go in order on one connection: once board-3 reaches b, board-1 is unfollowed
        Await.until("b is subscribed to board-3", () -> {
            a.publish(event("board-3", -probe.incrementAndGet(), null));
            return atB.stream().anyMatch(e -> e.boardId().equals("board-3"));
        });
        atB.clear();
        a.publish(event("board-1", 2001, null));
        a.publish(event("board-3", 1, null));
        Await.until("board-3's event at b", () -> atB.stream().anyMatch(e -> e.seq() == 1));
        assertTrue(atB.stream().allMatch(e -> e.boardId().equals("board-3")), "nothing of board-1 once unfollowed: "
                + atB);
    }
}
