package io.liveboard.realtime;

import io.liveboard.batch.BatchWorker;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.Catchup;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that delivers board events to clients and changes who is in which room. Publishers only
 * queue the event ({@link #accept} never blocks on a socket); the fan-out thread takes whatever has queued,
 * encodes each event once, and hands each board's events together to its WebSocket room and its SSE streams
 * (each member gets the events after its position, without those it caused), then to its long polls, which
 * answer from them. Events queued while a round runs go out together in the next one, so under load one socket
 * write carries several events. One thread keeps every board's events in publish order.
 *
 * <p>Joins and other room changes ({@link #join}, {@link #run}) run on the same thread, between rounds, so a
 * joining client is placed exactly: it gets the events from its catch-up, then those the fan-out handed to the
 * room after that catch-up was read (from the last few it remembers per board, or from the store), and from
 * then on the room's events after that number: no gap, no duplicate. A live start (no past events asked
 * for) is placed at the room's last event, or the catch-up's number if the fan-out has not reached it yet.
 */
public final class Fanout implements Consumer<BoardEvent>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    private static final int MAX_BATCH = 256;
    /** How many of a board's last events are kept in memory for joins that race with them. */
    private static final int RECENT = 64;

    /** Reads a board's events after a number from the store (or a resync, if they are no longer kept). */
    @FunctionalInterface
    public interface Backlog {
        Catchup after(String boardId, long seq);
    }

    /**
     * Told, on the fan-out thread, that a connection is in a room: the membership, the connection's position
     * once it has the backlog, and the backlog (resync or events, in order) to send it before anything else.
     */
    @FunctionalInterface
    public interface JoinListener {
        void joined(RoomRegistry.Membership membership, long seq, List<OutboundMessage> backlog);
    }

    /** What the fan-out thread remembers of a board: the last event it handed out, and the ones before. */
    private static final class BoardState {
        long seq;
        final ArrayDeque<OutboundMessage> recent = new ArrayDeque<>();
    }

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final LongPolls polls;
    private final DeliveryMetrics metrics;
    private final Backlog backlog;
    private final Map<String, BoardState> boards = new HashMap<>();
    private final BatchWorker<Object> worker;

    public Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics,
            Backlog backlog) {
        this.websockets = websockets;
        this.streams = streams;
        this.polls = polls;
        this.metrics = metrics;
        this.backlog = backlog;
        this.worker = new BatchWorker<>("liveboard-fanout", MAX_BATCH, this::handle);
    }

    @Override
    public void accept(BoardEvent event) {
        add(event);
    }

    /** Runs the task on the fan-out thread, after everything queued before it. */
    public void run(Runnable task) {
        add(task);
    }

    /** False once the fan-out thread died (it logged why): nothing is delivered any more. */
    public boolean healthy() {
        return worker.alive();
    }

    private void add(Object item) {
        try {
            worker.add(item);
        } catch (IllegalStateException e) {
            LOG.debug("Dropped work for the dead fan-out thread: {}", item);
        }
    }

    /**
     * Puts the connection in the board's room of {@code registry}, on the fan-out thread: its backlog is
     * {@code start} (read before this call) plus whatever the room was handed since that read.
     */
    public void join(RoomRegistry registry, Connection connection, Catchup start, JoinListener listener) {
        add((Runnable) () -> place(registry, connection, start, listener));
    }

    private void place(RoomRegistry registry, Connection connection, Catchup start, JoinListener listener) {
        String boardId = start.boardId();
        if (registry.isMember(boardId, connection)) {
            // joining again changes nothing: the member keeps its place and is owed no backlog
            RoomRegistry.Membership membership = registry.join(boardId, connection, start.seq());
            listener.joined(membership, membership.seq(), List.of());
            return;
        }
        List<OutboundMessage> messages = new ArrayList<>(OutboundMessage.of(start));
        long seq = start.seq();
        BoardState state = boards.get(boardId);
        if (state != null && state.seq > seq && start.live()) {
            seq = state.seq; // a live start owes the client nothing before the room's last event
        } else if (state != null && state.seq > seq) {
            // events handed to the room after the catch-up was read: from memory if it reaches back, else read
            if (!state.recent.isEmpty() && state.recent.peekFirst().seq() <= seq + 1) {
                for (OutboundMessage recent : state.recent) {
                    if (recent.seq() > seq) {
                        messages.add(recent);
                    }
                }
                seq = state.seq;
            } else {
                Catchup more = backlog.after(boardId, seq);
                messages.addAll(OutboundMessage.of(more));
                seq = more.seq();
            }
        }
        RoomRegistry.Membership membership = registry.join(boardId, connection, seq);
        listener.joined(membership, membership.seq(), membership.changed() ? messages : List.of());
    }

    private void handle(List<Object> batch) {
        Map<String, List<OutboundMessage>> byBoard = new LinkedHashMap<>();
        for (Object item : batch) {
            if (item instanceof BoardEvent event) {
                byBoard.computeIfAbsent(event.boardId(), id -> new ArrayList<>()).add(OutboundMessage.of(event));
            } else {
                deliver(byBoard);
                byBoard.clear();
                try {
                    ((Runnable) item).run();
                } catch (RuntimeException e) {
                    // a failed room change must not cost the events queued behind it
                    LOG.warn("A room change on the fan-out thread failed", e);
                }
            }
        }
        deliver(byBoard);
    }

    private void deliver(Map<String, List<OutboundMessage>> byBoard) {
        if (byBoard.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        int count = 0;
        for (Map.Entry<String, List<OutboundMessage>> entry : byBoard.entrySet()) {
            String boardId = entry.getKey();
            List<OutboundMessage> messages = entry.getValue();
            websockets.broadcast(boardId, messages);
            streams.broadcast(boardId, messages);
            polls.wake(boardId, messages);
            remember(boardId, messages);
            count += messages.size();
        }
        long each = (System.nanoTime() - start) / count;
        for (int i = 0; i < count; i++) {
            metrics.fannedOut(each);
        }
    }

    private void remember(String boardId, List<OutboundMessage> messages) {
        BoardState state = boards.computeIfAbsent(boardId, id -> new BoardState());
        state.seq = messages.get(messages.size() - 1).seq();
        if (websockets.size(boardId) + streams.size(boardId) == 0) {
            state.recent.clear(); // nobody to join a race with: keep only the number
            return;
        }
        for (OutboundMessage message : messages) {
            state.recent.addLast(message);
        }
        while (state.recent.size() > RECENT) {
            state.recent.removeFirst();
        }
    }

    /** Stops the fan-out thread; events still queued are not delivered. */
    @Override
    public void close() {
        worker.stop();
    }
}
