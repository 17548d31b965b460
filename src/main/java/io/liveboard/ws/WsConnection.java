package io.liveboard.ws;

import io.liveboard.realtime.Connection;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Jetty WebSocket session. Jetty queues asynchronous sends in call order; this
 * counts the bytes queued and not yet written, and closes the socket (1008 "slow consumer") rather than
 * let that exceed the limit.
 */
public final class WsConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
    static final int POLICY_VIOLATION = 1008;

    private final String id;
    private final Session session;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean awaitingPong = new AtomicBoolean();

    WsConnection(String id, Session session, long maxQueuedBytes, DeliveryMetrics metrics) {
        this.id = id;
        this.session = session;
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
    public void send(OutboundMessage message) {
        sendText(message.json(), message.utf8().length);
    }

    void sendText(String text, int bytes) {
        if (!session.isOpen()) {
            metrics.dropped(Transport.WEBSOCKET);
            return;
        }
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            LOG.info("Closing WebSocket {}: more than {} bytes queued (slow consumer)", id, maxQueuedBytes);
            metrics.dropped(Transport.WEBSOCKET);
            metrics.slowConsumer(Transport.WEBSOCKET);
            close(POLICY_VIOLATION, "slow consumer");
            return;
        }
        metrics.sent(Transport.WEBSOCKET, bytes);
        session.sendText(text, Callback.from(() -> queuedBytes.addAndGet(-bytes), failure -> {
            queuedBytes.addAndGet(-bytes);
            LOG.debug("Send to WebSocket {} failed", id, failure);
        }));
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    @Override
    public void heartbeat() {
        if (awaitingPong.getAndSet(true)) {
            LOG.info("Dropping WebSocket {}: no pong since the last ping", id);
            session.disconnect();
            return;
        }
        session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
    }

    void ponged() {
        awaitingPong.set(false);
    }
}
