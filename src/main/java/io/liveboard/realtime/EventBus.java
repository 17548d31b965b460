package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import java.util.function.Consumer;

/**
 * Carries committed board events from the service that caused them to every subscriber (the fan-out).
 *
 * <p>Events published on this node reach its subscribers at once, on the publishing thread, before
 * {@link #publish} returns: each subscriber gets them in the order they were published, which the publisher keeps
 * equal to a board's commit ({@code seq}) order. A bus between nodes also brings the other nodes' events of the boards
 * this node {@link #follow follows}, on a thread of its own; those promise less: one may come before an earlier one
 * of this node, late, or not at all (the broker was down). The fan-out puts them in order and reads what is missing
 * from the store. A node's own events never come back to it through the broker.
 *
 * <p>Delivery: at most once per subscriber and event; clients that missed events resume from the durable event
 * log, not from the bus. Publishing never fails because another node or the broker cannot be reached. A subscriber
 * that throws is logged and does not affect the publisher or the other subscribers. Thread-safe.
 */
public interface EventBus extends AutoCloseable {

    void publish(BoardEvent event);

    /** Adds a subscriber; closing the returned handle removes it. */
    AutoCloseable subscribe(Consumer<BoardEvent> subscriber);

    /**
     * Asks for the other nodes' events of the board from now on (again: no change); within one process, where there
     * are no other nodes, nothing to do.
     */
    default void follow(String boardId) {
    }

    /** No longer asks for the other nodes' events of the board. */
    default void unfollow(String boardId) {
    }

    @Override
    void close();
}
