package io.liveboard.realtime;

import io.liveboard.batch.BatchWorker;
import io.liveboard.board.BoardEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one place that delivers board events to clients. Publishers only queue the event ({@link #accept}
 * never blocks on a socket); one fan-out thread takes whatever has queued, encodes each event once, and
 * hands each board's events together to its WebSocket room (each member without the events it caused)
 * and its SSE streams, then wakes its long polls. Events queued while a round runs go out together in the
 * next one, so under load one socket write carries several events. One thread keeps every board's
 * events in publish order.
 */
public final class Fanout implements Consumer<BoardEvent>, AutoCloseable {

    private static final int MAX_BATCH = 256;

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final LongPolls polls;
    private final DeliveryMetrics metrics;
    private final BatchWorker<BoardEvent> worker;

    public Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics) {
        this.websockets = websockets;
        this.streams = streams;
        this.polls = polls;
        this.metrics = metrics;
        this.worker = new BatchWorker<>("liveboard-fanout", MAX_BATCH, this::deliver);
    }

    @Override
    public void accept(BoardEvent event) {
        worker.add(event);
    }

    private void deliver(List<BoardEvent> batch) {
        long start = System.nanoTime();
        Map<String, List<OutboundMessage>> byBoard = new LinkedHashMap<>();
        for (BoardEvent event : batch) {
            byBoard.computeIfAbsent(event.boardId(), id -> new ArrayList<>()).add(OutboundMessage.of(event));
        }
        byBoard.forEach((boardId, messages) -> {
            websockets.broadcast(boardId, messages);
            streams.broadcast(boardId, messages);
            polls.wake(boardId, messages.get(messages.size() - 1).seq());
        });
        long each = (System.nanoTime() - start) / batch.size();
        for (int i = 0; i < batch.size(); i++) {
            metrics.fannedOut(each);
        }
    }

    /** Stops the fan-out thread; events still queued are not delivered. */
    @Override
    public void close() {
        worker.stop();
    }
}
