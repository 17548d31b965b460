package io.liveboard.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * Many WebSocket clients joined to boards, on Jetty's core WebSocket client so that the load generator
 * spends as little CPU per message as it can: frames are looked at as bytes, never decoded to strings.
 * Each client counts the {@code task_created} events whose title is {@code bench-<n>}, and records
 * send→receive latency from the send time of task n; it also times its join (connect start → {@code joined})
 * and counts every message it gets, and when the last one came.
 */
final class Subscribers implements AutoCloseable {

    private static final byte[] CREATED = "{\"type\":\"task_created\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JOINED = "{\"type\":\"joined\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "{\"type\":\"pong\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MARK = "\"title\":\"bench-".getBytes(StandardCharsets.US_ASCII);
    /** Joins in flight when the caller does not say. */
    private static final int JOINS_IN_FLIGHT = 500;
    /** How long connecting waits for some join in flight to be answered before it gives up. */
    private static final long JOIN_WAIT_SECONDS = 60;

    private final List<WebSocketCoreClient> jettyClients = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();
    private final Histogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    private final Histogram joinLatency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger pongs = new AtomicInteger();
    private volatile AtomicLongArray sentAt = new AtomicLongArray(0);
    private volatile AtomicIntegerArray deliveredTo = new AtomicIntegerArray(0);
    private volatile IntUnaryOperator recipients = n -> Integer.MAX_VALUE;
    private volatile IntConsumer onDelivered = n -> { };

    /** One connection. */
    private final class Member implements FrameHandler {
        final String boardId;
        final CompletableFuture<Void> joined = new CompletableFuture<>();
        final AtomicInteger events = new AtomicInteger();
        /** Text messages received, of any type. */
        final AtomicInteger frames = new AtomicInteger();
        /** {@link System#nanoTime()} when the connect started, when {@code joined} came, and the last message. */
        final long connectStart = System.nanoTime();
        volatile long joinedAt;
        volatile long lastFrameAt;
        volatile CoreSession session;
        private ByteBuffer partial;

        Member(String boardId) {
            this.boardId = boardId;
        }

        void sendText(String text) {
            session.sendFrame(new Frame(OpCode.TEXT).setPayload(text), Callback.NOOP, false);
        }

        @Override
        public void onOpen(CoreSession opened, Callback callback) {
            session = opened;
            opened.setAutoFragment(false);
            callback.succeeded();
            sendText("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}");
            opened.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            long now = System.nanoTime();
            ByteBuffer payload = null;
            if (frame.getOpCode() == OpCode.TEXT && frame.isFin()) {
                payload = frame.getPayload();
            } else if (frame.getOpCode() == OpCode.TEXT || frame.getOpCode() == OpCode.CONTINUATION) {
                // a message split over frames: gather it, then look at it whole
                partial = append(frame.getOpCode() == OpCode.TEXT ? null : partial, frame.getPayload());
                if (frame.isFin()) {
                    payload = partial.flip();
                    partial = null;
                }
            }
            if (payload != null) {
                frames.incrementAndGet();
                lastFrameAt = now;
                if (startsWith(payload, CREATED)) {
                    // counted first, so that whoever onDelivered wakes sees this delivery in received()
                    events.incrementAndGet();
                    received.incrementAndGet();
                    int n = numberAfter(payload, MARK);
                    AtomicLongArray sent = sentAt;
                    if (n >= 0 && n < sent.length() && sent.get(n) != 0) {
                        latency.recordValue(Math.max(0, now - sent.get(n)));
                        if (deliveredTo.incrementAndGet(n) == recipients.applyAsInt(n)) {
                            onDelivered.accept(n);
                        }
                    }
                } else if (startsWith(payload, JOINED) && !joined.isDone()) {
                    joinedAt = now;
                    joinLatency.recordValue(Math.max(0, now - connectStart));
                    joined.complete(null);
                } else if (startsWith(payload, PONG)) {
                    pongs.incrementAndGet();
                }
            } else if (frame.getOpCode() == OpCode.PING) {
                session.sendFrame(new Frame(OpCode.PONG).setPayload(frame.getPayload().slice()), Callback.NOOP, false);
            }
            callback.succeeded();
            session.demand();
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            joined.completeExceptionally(cause);
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            callback.succeeded();
        }
    }

    private static ByteBuffer append(ByteBuffer to, ByteBuffer more) {
        int need = more == null ? 0 : more.remaining();
        ByteBuffer target = to;
        if (target == null || target.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(1024, (to == null ? 0 : to.position()) + need) * 2);
            if (to != null) {
                bigger.put(to.flip());
            }
            target = bigger;
        }
        if (more != null) {
            target.put(more.slice());
        }
        return target;
    }

    private static boolean startsWith(ByteBuffer buffer, byte[] prefix) {
        if (buffer == null || buffer.remaining() < prefix.length) {
            return false;
        }
        int at = buffer.position();
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The decimal number right after the first occurrence of {@code mark}, or -1. */
    private static int numberAfter(ByteBuffer buffer, byte[] mark) {
        int end = buffer.limit() - mark.length;
        outer:
        for (int at = buffer.position(); at <= end; at++) {
            for (int i = 0; i < mark.length; i++) {
                if (buffer.get(at + i) != mark[i]) {
                    continue outer;
                }
            }
            int n = 0;
            for (int i = at + mark.length; i < buffer.limit(); i++) {
                byte b = buffer.get(i);
                if (b < '0' || b > '9') {
                    return n;
                }
                n = n * 10 + (b - '0');
            }
            return n;
        }
        return -1;
    }

    /**
     * Connects {@code count} clients to {@code ws}, client i joining {@code boardIds[i % boards]}, spread
     * over {@code addresses} local addresses (127.0.0.1, 127.0.0.2, …), 500 joins in flight; waits until all
     * have joined.
     */
    Subscribers(URI ws, List<String> boardIds, int count, int addresses) throws Exception {
        this(ws, boardIds, count, addresses, JOINS_IN_FLIGHT);
    }

    /**
     * Connects {@code count} clients as above, keeping at most {@code joinsInFlight} joins in flight (from the
     * start of a client's connect until its {@code joined} arrives); waits until all have joined. Throws if a
     * connect or join fails, or if no join in flight is answered for 60 s.
     */
    Subscribers(URI ws, List<String> boardIds, int count, int addresses, int joinsInFlight) throws Exception {
        for (int a = 0; a < addresses; a++) {
            HttpClient http = new HttpClient();
            http.setBindAddress(new InetSocketAddress("127.0.0." + (a + 1), 0));
            http.setMaxConnectionsPerDestination(Integer.MAX_VALUE);
            http.setIdleTimeout(TimeUnit.MINUTES.toMillis(10));
            WebSocketCoreClient client = new WebSocketCoreClient(http, null);
            client.start();
            jettyClients.add(client);
        }
        Semaphore window = new Semaphore(joinsInFlight);
        for (int i = 0; i < count; i++) {
            if (!window.tryAcquire(JOIN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new TimeoutException("No join answered for " + JOIN_WAIT_SECONDS + " s (" + i + " started, "
                        + members.stream().filter(m -> m.joinedAt != 0).count() + " joined)");
            }
            Member member = new Member(boardIds.get(i % boardIds.size()));
            members.add(member);
            member.joined.whenComplete((ok, error) -> window.release());
            jettyClients.get(i % addresses).connect(member, ws).whenComplete((session, error) -> {
                if (error != null) {
                    member.joined.completeExceptionally(error);
                }
            });
        }
        for (Member member : members) {
            member.joined.get(JOIN_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Forgets what was received so far, for another run on the same connections. */
    void reset() {
        received.set(0);
        latency.reset();
        members.forEach(m -> m.events.set(0));
    }

    /**
     * Tasks 0..n-1 will be sent ({@link #sent} records when); task i should reach {@code recipients(i)}
     * clients, and {@code onDelivered(i)} runs once it has reached them all.
     */
    void expect(int tasks, IntUnaryOperator recipients, IntConsumer onDelivered) {
        this.recipients = recipients;
        this.onDelivered = onDelivered;
        deliveredTo = new AtomicIntegerArray(tasks);
        sentAt = new AtomicLongArray(tasks);
    }

    void sent(int task, long nanos) {
        sentAt.set(task, nanos);
    }

    long received() {
        return received.get();
    }

    /** Deliveries each member should have had, given how many tasks went to each board. */
    long missing(Map<String, Integer> tasksPerBoard) {
        long missing = 0;
        for (Member member : members) {
            missing += Math.max(0, tasksPerBoard.getOrDefault(member.boardId, 0) - member.events.get());
        }
        return missing;
    }

    Histogram latency() {
        return latency;
    }

    /** Every client's join latency: connect start → {@code joined}. */
    Histogram joinLatency() {
        return joinLatency;
    }

    /** {@link System#nanoTime()} when the first client started to connect. */
    long firstConnectAt() {
        return members.get(0).connectStart;
    }

    /** {@link System#nanoTime()} when the last {@code joined} arrived. */
    long lastJoinedAt() {
        return members.stream().mapToLong(m -> m.joinedAt).max().orElse(0);
    }

    /** Text messages of any type received by all clients so far. */
    long framesReceived() {
        return members.stream().mapToLong(m -> m.frames.get()).sum();
    }

    /** {@link System#nanoTime()} when the last text message arrived at any client; 0 if none did. */
    long lastFrameAt() {
        return members.stream().mapToLong(m -> m.lastFrameAt).max().orElse(0);
    }

    int size() {
        return members.size();
    }

    /** Pings every connection and counts the pongs that come back within the wait. */
    int pingAll(long waitMillis) throws InterruptedException {
        pongs.set(0);
        for (Member member : members) {
            member.sendText("{\"type\":\"ping\"}");
        }
        long deadline = System.currentTimeMillis() + waitMillis;
        while (pongs.get() < members.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return pongs.get();
    }

    @Override
    public void close() {
        for (WebSocketCoreClient client : jettyClients) {
            try {
                client.stop();
            } catch (Exception e) {
                // tearing down the load generator
            }
        }
    }
}
