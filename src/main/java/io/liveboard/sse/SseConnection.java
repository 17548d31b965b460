package io.liveboard.sse;

import io.liveboard.auth.User;
import io.liveboard.json.Json;
import io.liveboard.realtime.Connection;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over one {@code text/event-stream} response. Jetty allows one write in flight per
 * response, so frames queue here and whatever queued during a write goes out together in the next one.
 * A send that finds more than {@code maxQueuedBytes} waiting behind the write under way, or a failed write,
 * cuts the stream and runs {@code onEnd}.
 */
final class SseConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(SseConnection.class);
    /** Bytes in one write: what queued beyond waits for the next. */
    private static final int MAX_WRITE_BYTES = 256 * 1024;
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final Response response;
    private final Callback exchange;
    private final long maxQueuedBytes;
    private final Runnable onEnd;
    private final DeliveryMetrics metrics;
    private final User user;
    private final String epoch;
    /** Last event number sent per board: the stream's position, written as its {@code id:}. */
    private final Map<String, Long> positions;

    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** Bytes queued behind the write under way (what that write took may already be with the client). */
    private long waitingBytes;
    private boolean writing;
    private boolean closing;
    private boolean ended;
    private boolean overflowed;
    private boolean started;

    /**
     * A stream that opens with {@code opening} (its {@code retry:} and {@code connected} lines); that and
     * everything sent after it are held back until {@link #start}, so the opening always comes first.
     */
    SseConnection(String id, User user, Response response, Callback exchange, long maxQueuedBytes, String epoch,
            Map<String, Long> positions, String opening, DeliveryMetrics metrics, Runnable onEnd) {
        this.id = id;
        this.user = user;
        this.epoch = epoch;
        this.response = response;
        this.exchange = exchange;
        this.maxQueuedBytes = maxQueuedBytes;
        this.positions = new LinkedHashMap<>(positions);
        this.onEnd = onEnd;
        this.metrics = metrics;
        byte[] bytes = opening.getBytes(StandardCharsets.UTF_8);
        pending.add(bytes);
        waitingBytes = bytes.length;
        writing = true;
    }

    /** Starts writing: the opening, then whatever was sent since. */
    void start() {
        ByteBuffer next;
        synchronized (this) {
            started = true;
            next = ended ? null : drain();
        }
        flush(next);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Transport transport() {
        return Transport.SSE;
    }

    @Override
    public User user() {
        return user;
    }

    @Override
    public void send(List<OutboundMessage> messages) {
        StringBuilder frames = new StringBuilder();
        ByteBuffer next;
        boolean open;
        synchronized (this) {
            // ids and the frames' place in the queue are decided together, so ids only grow
            for (OutboundMessage message : messages) {
                frames.append("event: ").append(message.type()).append('\n');
                if (message.seq() > 0) {
                    positions.put(message.boardId(), message.seq());
                    frames.append("id: ").append(SseCursor.format(epoch, positions)).append('\n');
                }
                frames.append("data: ").append(message.json()).append("\n\n");
            }
            open = !closing && !ended;
            next = enqueue(frames.toString().getBytes(StandardCharsets.UTF_8));
        }
        for (OutboundMessage message : messages) {
            if (open) {
                metrics.sent(Transport.SSE, message.size());
            } else {
                metrics.dropped(Transport.SSE);
            }
        }
        flush(next);
    }

    @Override
    public void heartbeat() {
        write(HEARTBEAT);
    }

    @Override
    public synchronized boolean isOpen() {
        return !closing && !ended;
    }

    /**
     * Ends the stream once what is queued has been written, after a last event that says why:
     * {@code event: disconnect} with {@code {"type":"disconnect","code":…,"reason":…}} (4001 "Token expired",
     * 1001 "server shutting down"). Idempotent.
     */
    @Override
    public void close(int code, String reason) {
        Map<String, Object> disconnect = new LinkedHashMap<>();
        disconnect.put("type", "disconnect");
        disconnect.put("code", code);
        disconnect.put("reason", reason);
        byte[] farewell = ("event: disconnect\ndata: " + Json.write(disconnect) + "\n\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer next;
        synchronized (this) {
            if (closing || ended) {
                return;
            }
            // a write is under way once this is queued (or the queue overflowed): the stream ends when it is done
            next = enqueue(farewell);
            closing = true;
        }
        flush(next);
    }

    /** The client went away (or spoke, which an SSE client does not): the stream ends at once. */
    void peerClosed() {
        abort(new EOFException("the client closed the stream"));
    }

    private void write(byte[] bytes) {
        ByteBuffer next;
        synchronized (this) {
            next = enqueue(bytes);
        }
        flush(next);
    }

    /** Queues the bytes; returns what the caller must write now, or null if a write is already under way. */
    private ByteBuffer enqueue(byte[] bytes) {
        assert Thread.holdsLock(this);
        if (closing || ended) {
            return null;
        }
        // what already waits decides, not these bytes: a large replay or burst still goes to a client that keeps
        // up; before start() only the opening and the backlogs queue, however large
        if (started && waitingBytes > maxQueuedBytes) {
            overflowed = true;
            return null;
        }
        waitingBytes += bytes.length;
        pending.add(bytes);
        if (writing) {
            return null;
        }
        writing = true;
        return drain();
    }

    /** Writes what {@link #enqueue} handed out, or cuts the stream if the queue overflowed; call unlocked. */
    private void flush(ByteBuffer next) {
        boolean cut;
        synchronized (this) {
            cut = overflowed;
        }
        if (cut) {
            LOG.info("Cutting SSE stream {}: more than {} bytes waiting (slow consumer)", id, maxQueuedBytes);
            metrics.slowConsumer(Transport.SSE);
            abort(new IOException("slow consumer"));
        } else if (next != null) {
            response.write(false, next, Callback.from(this::written, this::abort));
        }
    }

    private void written() {
        ByteBuffer next;
        boolean endNow = false;
        synchronized (this) {
            if (ended) {
                return;
            }
            if (pending.isEmpty()) {
                writing = false;
                if (closing) {
                    ended = true;
                    endNow = true;
                }
                next = null;
            } else {
                next = drain();
            }
        }
        if (endNow) {
            exchange.succeeded();
            onEnd.run();
        } else {
            flush(next);
        }
    }

    /** Takes the next write out of the queue: what waits, up to {@link #MAX_WRITE_BYTES} (or one larger frame). */
    private ByteBuffer drain() {
        int size = 0;
        int chunks = 0;
        for (byte[] chunk : pending) {
            if (chunks > 0 && size + chunk.length > MAX_WRITE_BYTES) {
                break;
            }
            size += chunk.length;
            chunks++;
        }
        waitingBytes -= size;
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (int i = 0; i < chunks; i++) {
            buffer.put(pending.poll());
        }
        return buffer.flip();
    }

    private void abort(Throwable cause) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            closing = true;
            pending.clear();
        }
        LOG.debug("SSE stream {} ended: {}", id, cause.toString());
        exchange.failed(cause);
        onEnd.run();
    }
}
