package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventBus} within one process: subscribers run on the publishing thread, so publish order is
 * delivery order. Subscribers must not block (the fan-out only queues sends).
 */
public final class LocalEventBus implements EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(LocalEventBus.class);

    private final List<Consumer<BoardEvent>> subscribers = new CopyOnWriteArrayList<>();

    @Override
    public void publish(BoardEvent event) {
        for (Consumer<BoardEvent> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("Subscriber failed on event {} #{} of board {}", event.type(), event.seq(), event.boardId(), e);
            }
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<BoardEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    @Override
    public void close() {
        subscribers.clear();
    }
}
