package io.liveboard.realtime;

import io.liveboard.batch.BatchWorker;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.Catchup;
import io.liveboard.logging.LogThrottle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>With several nodes ({@link #ordered}) the other nodes' events come through a bus that may reorder, lose or
 * repeat them, so the fan-out keeps each board it serves in order here, once for every transport: it holds the next
 * {@code seq} it expects; an event ahead of it waits (at most {@code gapWait}) for the missing ones, which are then
 * read from the store; an event it already handed out is dropped. About once a second it reads the last number of
 * every board it serves (one query) and reads what it has not handed out, so that an event whose node died before
 * publishing it, or that the broker lost, arrives within about a second. It serves a board while the board has
 * members here (a WebSocket room, an SSE stream, a waiting long poll), following it on the bus from the first, and
 * stops at the first sweep that finds none.
 */
public final class Fanout implements Consumer<BoardEvent>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    private static final int MAX_BATCH = 256;
    /** How many of a board's last events are kept in memory for joins that race with them. */
    private static final int RECENT = 64;
    private static final LogThrottle READ_FAILURES = new LogThrottle(Duration.ofSeconds(10));

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

    /** Each board's last event number, read together; boards that do not exist are left out. */
    @FunctionalInterface
    public interface Heads {
        Map<String, Long> of(Collection<String> boardIds);
    }

    /** What the fan-out thread remembers of a board: the last event it handed out, and the ones before. */
    private static final class BoardState {
        long seq;
        final ArrayDeque<OutboundMessage> recent = new ArrayDeque<>();
        /** Ordered: the last event let through to be handed out (this round's included); events after it wait. */
        long admitted;
        /** Ordered: events that came ahead of a missing one, by number. */
        final TreeMap<Long, BoardEvent> early = new TreeMap<>();
        /** Ordered: a read of the missing events is due or running. */
        boolean repairing;
        /** Ordered: what is to run once the board's events up to a number are handed out (acks), by number. */
        final TreeMap<Long, List<Runnable>> afterSeq = new TreeMap<>();

        BoardState(long seq) {
            this.seq = seq;
            this.admitted = seq;
        }
    }

    /** What the ordered fan-out needs beyond the single node's: the bus to follow boards on, and the store's heads. */
    private record Cluster(EventBus bus, Heads heads, Duration gapWait, ScheduledExecutorService repairs) {
    }

    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final LongPolls polls;
    private final DeliveryMetrics metrics;
    private final Backlog backlog;
    private final Map<String, BoardState> boards = new HashMap<>();
    private final BatchWorker<Object> worker;
    /** Null on a single node: events come complete and in order from the process's own bus. */
    private final Cluster cluster;

    /** The fan-out of a single node, whose events all come in order through the in-process bus. */
    public Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics,
            Backlog backlog) {
        this(websockets, streams, polls, metrics, backlog, null);
    }

    private Fanout(RoomRegistry websockets, RoomRegistry streams, LongPolls polls, DeliveryMetrics metrics,
            Backlog backlog, Cluster cluster) {
        this.websockets = websockets;
        this.streams = streams;
        this.polls = polls;
        this.metrics = metrics;
        this.backlog = backlog;
        this.cluster = cluster;
        this.worker = new BatchWorker<>("liveboard-fanout", MAX_BATCH, this::handle);
    }

    /**
     * The fan-out of one node of several: it follows the boards it serves on {@code bus}, puts their events in order,
     * waits {@code gapWait} for a missing one before it reads it with {@code backlog}, and sweeps every
     * {@code sweepEvery} with {@code heads} (see the class comment). Its reads run on a thread of its own.
     */
    public static Fanout ordered(RoomRegistry websockets, RoomRegistry streams, LongPolls polls,
            DeliveryMetrics metrics, Backlog backlog, EventBus bus, Heads heads, Duration gapWait,
            Duration sweepEvery) {
        ScheduledExecutorService repairs = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "liveboard-fanout-repair");
            thread.setDaemon(true);
            return thread;
        });
        Fanout fanout = new Fanout(websockets, streams, polls, metrics, backlog,
                new Cluster(bus, heads, gapWait, repairs));
        repairs.scheduleWithFixedDelay(() -> fanout.run(fanout::sweep), sweepEvery.toMillis(), sweepEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        return fanout;
    }

    /**
     * Tells the fan-out that a long poll of the board waits to pass event {@code seq}: an ordered fan-out serves the
     * board from then on (a single node's serves every board anyway).
     */
    public void waiting(String boardId, long seq) {
        if (cluster != null) {
            run(() -> {
                if (!boards.containsKey(boardId)) {
                    track(boardId, seq);
                }
            });
        }
    }

    @Override
    public void accept(BoardEvent event) {
        add(event);
    }

    /** Runs the task on the fan-out thread, after everything queued before it. */
    public void run(Runnable task) {
        add(task);
    }

    /**
     * Runs the task on the fan-out thread once the board's events up to {@code seq} are handed out: an ack behind its
     * event, which on several nodes may wait for earlier events of other nodes (on one node, {@link #run}).
     */
    public void runAfter(String boardId, long seq, Runnable task) {
        if (cluster == null) {
            run(task);
            return;
        }
        run(() -> {
            BoardState state = boards.get(boardId);
            if (state == null || state.seq >= seq) {
                task.run();
            } else {
                state.afterSeq.computeIfAbsent(seq, n -> new ArrayList<>()).add(task);
            }
        });
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
        if (state == null && cluster != null) {
            // the board's first member here: served from the catch-up's number on (what came before it, the member
            // has; no other member is owed anything)
            track(boardId, seq);
        } else if (state != null && state.seq > seq && start.live()) {
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
                if (cluster == null) {
                    byBoard.computeIfAbsent(event.boardId(), id -> new ArrayList<>()).add(OutboundMessage.of(event));
                } else {
                    admit(event, byBoard);
                }
            } else if (item instanceof Catchup resync) {
                // the missing events are no longer kept: the board's members start again from the whole board
                BoardState state = boards.get(resync.boardId());
                if (state != null && resync.seq() > state.admitted) {
                    byBoard.computeIfAbsent(resync.boardId(), id -> new ArrayList<>())
                            .addAll(OutboundMessage.of(resync));
                    state.admitted = resync.seq();
                    state.early.headMap(resync.seq(), true).clear();
                    letThrough(state, byBoard);
                }
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
            if (cluster != null) {
                runWaiting(boards.get(boardId));
            }
        }
        long each = (System.nanoTime() - start) / count;
        for (int i = 0; i < count; i++) {
            metrics.fannedOut(each);
        }
    }

    /** Ordered: runs what waited for the board's events up to the number now handed out. */
    private static void runWaiting(BoardState state) {
        while (state != null && !state.afterSeq.isEmpty() && state.afterSeq.firstKey() <= state.seq) {
            for (Runnable task : state.afterSeq.pollFirstEntry().getValue()) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("A task waiting for an event failed on the fan-out thread", e);
                }
            }
        }
    }

    /** Ordered: lets the event through if it is the next of its board, holds it if it is early, drops it if seen. */
    private void admit(BoardEvent event, Map<String, List<OutboundMessage>> byBoard) {
        String boardId = event.boardId();
        BoardState state = boards.get(boardId);
        if (state == null) {
            if (websockets.size(boardId) + streams.size(boardId) + polls.waiting(boardId) == 0) {
                return; // nobody here to give it to (a change made through this node of a board served elsewhere)
            }
            state = track(event.boardId(), event.seq() - 1);
        }
        if (event.seq() <= state.admitted) {
            return; // handed out already (from the store, or this node's own event read by a sweep)
        }
        state.early.put(event.seq(), event);
        letThrough(state, byBoard);
        if (!state.early.isEmpty() && !state.repairing) {
            scheduleRepair(event.boardId(), state, false);
        }
    }

    /** Moves the board's early events that are now next into this round. */
    private static void letThrough(BoardState state, Map<String, List<OutboundMessage>> byBoard) {
        while (!state.early.isEmpty() && state.early.firstKey() <= state.admitted + 1) {
            BoardEvent next = state.early.pollFirstEntry().getValue();
            if (next.seq() == state.admitted + 1) {
                byBoard.computeIfAbsent(next.boardId(), id -> new ArrayList<>()).add(OutboundMessage.of(next));
                state.admitted = next.seq();
            }
        }
    }

    /**
     * Ordered, on the fan-out thread: starts serving the board from event {@code seq}, following it on the bus, and
     * reads it once {@code gapWait} later: what came before the subscription took effect, or before this call while
     * nobody here was served (such events are not kept), is then read from the store.
     */
    private BoardState track(String boardId, long seq) {
        BoardState state = new BoardState(seq);
        boards.put(boardId, state);
        cluster.bus().follow(boardId);
        scheduleRepair(boardId, state, true);
        return state;
    }

    /** Reads the board's missing events after the gap wait (or {@code always}, missing or not). */
    private void scheduleRepair(String boardId, BoardState state, boolean always) {
        state.repairing = true;
        cluster.repairs().schedule(() -> run(() -> repair(boardId, always)), cluster.gapWait().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The gap wait is over: if events are still missing (or {@code always}), reads them (on the repair thread). */
    private void repair(String boardId, boolean always) {
        BoardState state = boards.get(boardId);
        if (state == null) {
            return;
        }
        if (state.early.isEmpty() && !always) {
            state.repairing = false;
            return;
        }
        long from = state.admitted;
        cluster.repairs().execute(() -> read(Map.of(boardId, from), true));
    }

    /**
     * About once a second, on the fan-out thread: stops serving the boards nobody here needs any more, and has the
     * last number of the others read, and what they lack.
     */
    private void sweep() {
        Map<String, Long> served = new HashMap<>();
        for (var it = boards.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, BoardState> entry = it.next();
            String boardId = entry.getKey();
            BoardState state = entry.getValue();
            if (websockets.size(boardId) + streams.size(boardId) + polls.waiting(boardId) == 0
                    && state.early.isEmpty() && !state.repairing && state.afterSeq.isEmpty()) {
                it.remove();
                cluster.bus().unfollow(boardId);
            } else if (!state.repairing) {
                served.put(boardId, state.admitted);
            }
        }
        if (!served.isEmpty()) {
            cluster.repairs().execute(() -> read(served, false));
        }
    }

    /**
     * On the repair thread: reads the events after the numbers given of the boards whose last number is past them,
     * and queues them like any event (those handed out meanwhile are dropped then); then, for a {@code repair}, lets
     * the board's repair end, or start again if a gap is still open.
     */
    private void read(Map<String, Long> from, boolean repair) {
        try {
            Map<String, Long> heads = cluster.heads().of(from.keySet());
            for (Map.Entry<String, Long> entry : from.entrySet()) {
                String boardId = entry.getKey();
                long after = entry.getValue();
                Long head = heads.get(boardId);
                while (head != null && after < head) {
                    Catchup more = backlog.after(boardId, after);
                    if (more.resync() != null) {
                        add(more);
                        break;
                    }
                    more.events().forEach(this::add);
                    if (more.seq() <= after) {
                        break;
                    }
                    after = more.seq();
                }
            }
        } catch (RuntimeException e) {
            if (READ_FAILURES.next() > 0) {
                LOG.warn("Reading missed events from the store failed (tried again at the next sweep): {}",
                        e.toString());
            }
        }
        if (repair) {
            run(() -> {
                for (String boardId : from.keySet()) {
                    BoardState state = boards.get(boardId);
                    if (state != null && state.repairing) {
                        state.repairing = false;
                        if (!state.early.isEmpty()) {
                            scheduleRepair(boardId, state, false);
                        }
                    }
                }
            });
        }
    }

    private void remember(String boardId, List<OutboundMessage> messages) {
        BoardState state = boards.computeIfAbsent(boardId, id -> new BoardState(0));
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
        if (cluster != null) {
            cluster.repairs().shutdownNow();
        }
    }
}
