package io.liveboard.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.BoardEvent;
import io.liveboard.board.Task;
import io.liveboard.support.Await;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link EventBus} promises (house rule 8: one contract, run on each implementation). A bus between nodes
 * ({@link #otherNode} not null) is also held to what it promises between them: events of the boards a node follows,
 * the others not, each once, as they were published.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EventBusContract {

    private final List<EventBus> opened = new ArrayList<>();

    /** A bus of a node of its own. */
    protected abstract EventBus newBus();

    /** Whether buses from {@link #newBus} reach each other (they are nodes of one cluster). */
    protected abstract boolean between();

    private EventBus bus() {
        EventBus bus = newBus();
        opened.add(bus);
        return bus;
    }

    @AfterEach
    void closeBuses() {
        opened.forEach(EventBus::close);
    }

    protected static BoardEvent event(String boardId, long seq, String originId) {
        Instant at = Instant.parse("2026-12-06T12:00:00Z").plus(seq, ChronoUnit.MILLIS);
        Task task = new Task("task-" + seq, boardId, "list-todo", "Task " + seq, "", null, 0, at, at);
        return new BoardEvent(boardId, seq, BoardEvent.TASK_CREATED, Map.of("task", task), at, originId);
    }

    /** The event as clients get it, and whom it spares. */
    private static String wire(BoardEvent event) {
        OutboundMessage message = OutboundMessage.of(event);
        return message.json() + " excluding " + message.excludeId();
    }

    private static List<String> wire(List<BoardEvent> events) {
        return events.stream().map(EventBusContract::wire).toList();
    }

    private static List<BoardEvent> notProbes(List<BoardEvent> events) {
        return events.stream().filter(e -> e.seq() >= 0).toList();
    }

    @Test
    void aPublishedEventReachesEverySubscriberOfItsNodeBeforePublishReturns() {
        EventBus bus = bus();
        List<BoardEvent> first = new CopyOnWriteArrayList<>();
        List<BoardEvent> second = new CopyOnWriteArrayList<>();
        bus.subscribe(first::add);
        bus.subscribe(second::add);
        BoardEvent event = event("board-1", 1, "socket-a");
        bus.publish(event);
        assertEquals(List.of(event), first);
        assertEquals(List.of(event), second);
    }

    @Test
    void aBoardsEventsArriveInPublishOrder() {
        EventBus bus = bus();
        List<BoardEvent> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(seen::add);
        List<BoardEvent> published = new ArrayList<>();
        for (int seq = 1; seq <= 500; seq++) {
            BoardEvent event = event(seq % 2 == 0 ? "board-1" : "board-2", seq, null);
            published.add(event);
            bus.publish(event);
        }
        assertEquals(published, seen);
    }

    @Test
    void aSubscriberThatThrowsCostsTheOthersNothing() throws Exception {
        EventBus bus = bus();
        List<BoardEvent> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(event -> {
            throw new IllegalStateException("a broken subscriber");
        });
        AutoCloseable handle = bus.subscribe(seen::add);
        bus.publish(event("board-1", 1, null));
        handle.close();
        bus.publish(event("board-1", 2, null));
        assertEquals(List.of(event("board-1", 1, null)), seen, "the second came after the handle was closed");
    }

    @Test
    void anotherNodeGetsTheEventsOfTheBoardsItFollowsOnceAndInOrder() {
        org.junit.jupiter.api.Assumptions.assumeTrue(between(), "one process: no other node");
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
        atB.clear();
        Await.until("b is subscribed to board-3", () -> {
            a.publish(event("board-1", 2000 + probe.incrementAndGet(), null));
            a.publish(event("board-3", 1, null));
            return !atB.isEmpty();
        });
        assertTrue(atB.stream().allMatch(e -> e.boardId().equals("board-3")), "nothing of board-1 once unfollowed: "
                + atB);
    }
}
