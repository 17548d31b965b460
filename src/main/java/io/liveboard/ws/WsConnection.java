package io.liveboard.ws;

import io.liveboard.auth.Principal;
import io.liveboard.auth.User;
import io.liveboard.net.DirectWriteEndPoint;
import io.liveboard.realtime.Connection;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Jetty WebSocket session. Messages go to the socket as their shared, already
 * framed bytes, straight to its {@link DirectWriteEndPoint}: written at once from the sending thread when
 * nothing is queued ahead, several messages sent together in one gathering write, in call order with Jetty's
 * own frames. A send that finds more than the limit still queued closes the connection (a slow consumer: 1008
 * "slow consumer"). The close frame queues behind what the peer is not reading, so if the socket has not
 * closed {@link #CUT_AFTER} later it is cut. From the overflow on the connection counts as closed: it gets
 * nothing more, and {@code onSlow} takes it out of its rooms at once.
 */
public final class WsConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
    static final int POLICY_VIOLATION = 1008;
    static final Duration CUT_AFTER = Duration.ofSeconds(2);

    private final String id;
    private final Session session;
    private final CoreSession core;
    private final DirectWriteEndPoint endPoint;
    private final BooleanSupplier outputOpen;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Consumer<WsConnection> onSlow;
    private final AtomicBoolean awaitingPong = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final MessageRate rate;
    private volatile Principal principal;

    WsConnection(String id, Session session, long maxQueuedBytes, DeliveryMetrics metrics,
            ScheduledExecutorService scheduler, Consumer<WsConnection> onSlow, int messagesPerSecond) {
        this.id = id;
        this.rate = new MessageRate(messagesPerSecond);
        this.scheduler = scheduler;
        this.onSlow = onSlow;
        this.session = session;
        this.core = ((WebSocketSession) session).getCoreSession();
        this.endPoint = (DirectWriteEndPoint) ((WebSocketCoreSession) core).getConnection().getEndPoint();
        this.outputOpen = core::isOutputOpen;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Transport transport() {
        return Transport.WEBSOCKET;
    }

    @Override
    public User user() {
        Principal who = principal;
        return who == null ? User.guest(id) : who.userOf(id);
    }

    /** Who the socket authenticated as; null until it has. */
    Principal principal() {
        return principal;
    }

    void authenticated(Principal who) {
        principal = who;
    }

    MessageRate rate() {
        return rate;
    }

    @Override
    public void send(List<OutboundMessage> messages) {
        // what is already queued decides, not this batch: one large batch (a replay, a burst of events
        // committed together) still goes to a client that keeps up
        if (overflowed.get() || endPoint.queuedBytes() > maxQueuedBytes) {
            messages.forEach(m -> metrics.dropped(Transport.WEBSOCKET));
            if (overflowed.compareAndSet(false, true)) {
                closeSlowConsumer();
            }
            return;
        }
        ByteBuffer[] frames = new ByteBuffer[messages.size()];
        long bytes = 0;
        for (int i = 0; i < frames.length; i++) {
            frames[i] = messages.get(i).frame();
            bytes += frames[i].remaining();
        }
        if (!outputOpen.getAsBoolean()) {
            messages.forEach(m -> metrics.dropped(Transport.WEBSOCKET));
            return;
        }
        // counted as handed over, before the write: the peer may read them before this thread goes on
        for (OutboundMessage message : messages) {
            metrics.sent(Transport.WEBSOCKET, message.size());
        }
        if (!endPoint.writeShared(frames, bytes, outputOpen)) {
            messages.forEach(m -> metrics.dropped(Transport.WEBSOCKET)); // closed in the meantime
        }
    }

    private void closeSlowConsumer() {
        LOG.info("Closing WebSocket {}: more than {} bytes queued (slow consumer)", id, maxQueuedBytes);
        metrics.slowConsumer(Transport.WEBSOCKET);
        session.close(POLICY_VIOLATION, "slow consumer", org.eclipse.jetty.websocket.api.Callback.NOOP);
        try {
            // Jetty counts the session closed once the close frame is queued, even while it waits behind the
            // data the peer does not read: cut the connection whatever it says (a no-op if already gone)
            scheduler.schedule(session::disconnect, CUT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            session.disconnect(); // shutting down
        }
        onSlow.accept(this);
    }

    @Override
    public boolean isOpen() {
        return !overflowed.get() && session.isOpen();
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
    }

    @Override
    public void heartbeat() {
        if (awaitingPong.getAndSet(true)) {
            LOG.info("Dropping WebSocket {}: no pong since the last ping", id);
            session.disconnect();
            return;
        }
        session.sendPing(ByteBuffer.allocate(0), org.eclipse.jetty.websocket.api.Callback.NOOP);
    }

    void ponged() {
        awaitingPong.set(false);
    }
}
