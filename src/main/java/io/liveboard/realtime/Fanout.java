package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that delivers board events to clients. Publishers only queue the event ({@link #accept}
 * never blocks on a socket); one fan-out thread takes whatever has queued, encodes each event once, and
 * hands each board's events together to its WebSocket room (each member without the events it caused)
 * and its SSE streams, then wakes its long polls. Events queued while a round runs go out together in the
 * next one, so under load one socket write carries several events. One thread keeps every board's
 * events in publish order.
 */
public final class Fanout implements Consumer<BoardEvent>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);
    private static final int MAX_BATCH = 256;

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final LongPolls polls;
    private final DeliveryMetrics metrics;
    private final LinkedBlockingQueue<BoardEvent> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    public Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics) {
        this.websockets = websockets;
        this.streams = streams;
        this.polls = polls;
        this.metrics = metrics;
        this.thread = new Thread(this::run, "liveboard-fanout");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void accept(BoardEvent event) {
        queue.add(event);
    }

    private void run() {
        List<BoardEvent> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                deliver(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Fan-out of {} events failed", batch.size(), e);
            } finally {
                batch.clear();
            }
        }
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
            polls.wake(boardId);
        });
        long each = (System.nanoTime() - start) / batch.size();
        for (int i = 0; i < batch.size(); i++) {
            metrics.fannedOut(each);
        }
    }

    /** Stops the fan-out thread; events still queued are not delivered. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
