package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import java.util.function.Consumer;

/**
 * The one place that delivers board events to clients: it encodes each event once and hands it to the
 * board's WebSocket room (sparing the connection that caused it), to its SSE streams, and wakes its long
 * polls. Runs on the bus's thread and never blocks.
 */
public final class Fanout implements Consumer<BoardEvent> {

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final LongPolls polls;
    private final DeliveryMetrics metrics;

    public Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics) {
        this.websockets = websockets;
        this.streams = streams;
        this.polls = polls;
        this.metrics = metrics;
    }

    @Override
    public void accept(BoardEvent event) {
        long start = System.nanoTime();
        OutboundMessage message = OutboundMessage.of(event);
        websockets.broadcast(event.boardId(), message, event.originId());
        streams.broadcast(event.boardId(), message, null);
        polls.wake(event.boardId());
        metrics.fannedOut(System.nanoTime() - start);
    }
}
