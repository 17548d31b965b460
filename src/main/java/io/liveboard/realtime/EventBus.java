package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import java.util.function.Consumer;

/**
 * Carries committed board events from the service that caused them to every subscriber (the fan-out).
 *
 * <p>Ordering: each subscriber gets the events of one board in the order they were published, which the
 * publisher keeps equal to commit ({@code seq}) order. Delivery: at most once per subscriber and event;
 * clients that missed events resume from the durable event log, not from the bus. A subscriber that
 * throws is logged and does not affect the publisher or the other subscribers. Thread-safe.
 */
public interface EventBus extends AutoCloseable {

    void publish(BoardEvent event);

    /** Adds a subscriber; closing the returned handle removes it. */
    AutoCloseable subscribe(Consumer<BoardEvent> subscriber);

    @Override
    void close();
}
