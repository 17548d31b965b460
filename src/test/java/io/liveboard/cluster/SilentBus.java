package io.liveboard.cluster;

import io.liveboard.board.BoardEvent;
import io.liveboard.realtime.EventBus;
import java.util.function.Consumer;

/**
 * A node's bus that drops what the node publishes: as if it died right after each commit. The node still follows
 * boards and gets the others' events; its own reach the cluster only through the other nodes' reads of the database.
 */
final class SilentBus implements EventBus {
    private final EventBus bus;

    SilentBus(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public void publish(BoardEvent event) {
        // committed, never published
    }

    @Override
    public AutoCloseable subscribe(Consumer<BoardEvent> subscriber) {
        return bus.subscribe(subscriber);
    }

    @Override
    public void follow(String boardId) {
        bus.follow(boardId);
    }

    @Override
    public void unfollow(String boardId) {
        bus.unfollow(boardId);
    }

    @Override
    public void close() {
        bus.close();
    }
}
