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
 * is held besides to what it promises between them in its own test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EventBusContract {

    private final List<EventBus> opened = new ArrayList<>();

    /** A bus of a node of its own. */
    protected abstract EventBus newBus();

    /** A bus of a node of its own, closed after the test. */
    protected EventBus bus() {
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
    protected static String wire(BoardEvent event) {
        OutboundMessage message = OutboundMessage.of(event);
        return message.json() + " excluding " + message.excludeId();
    }

    protected static List<String> wire(List<BoardEvent> events) {
        return events.stream().map(EventBusContract::wire).toList();
    }

    protected static List<BoardEvent> notProbes(List<BoardEvent> events) {
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
}
