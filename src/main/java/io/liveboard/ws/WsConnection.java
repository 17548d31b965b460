package io.liveboard.ws;

import io.liveboard.realtime.Connection;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Transport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Jetty WebSocket session. Messages go to Jetty's core session as frames over
 * their shared, already encoded bytes; several messages sent together are batched into one socket write.
 * Jetty queues frames in call order; this counts the bytes queued and not yet written, and drops the
 * connection (a slow consumer) rather than let that exceed the limit.
 */
public final class WsConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

    private final String id;
    private final Session session;
    private final CoreSession core;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean awaitingPong = new AtomicBoolean();

    WsConnection(String id, Session session, long maxQueuedBytes, DeliveryMetrics metrics) {
        this.id = id;
        this.session = session;
        this.core = ((WebSocketSession) session).getCoreSession();
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
    public void send(List<OutboundMessage> messages) {
        if (!core.isOutputOpen()) {
            messages.forEach(m -> metrics.dropped(Transport.WEBSOCKET));
            return;
        }
        long bytes = 0;
        for (OutboundMessage message : messages) {
            bytes += message.size();
        }
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            LOG.info("Dropping WebSocket {}: more than {} bytes queued (slow consumer)", id, maxQueuedBytes);
            messages.forEach(m -> metrics.dropped(Transport.WEBSOCKET));
            metrics.slowConsumer(Transport.WEBSOCKET);
            // a close frame would queue behind what the peer is not reading: cut the connection instead, so
            // that it leaves its rooms now; the client sees an abnormal close and reconnects
            session.disconnect();
            return;
        }
        int last = messages.size() - 1;
        for (int i = 0; i <= last; i++) {
            OutboundMessage message = messages.get(i);
            int size = message.size();
            metrics.sent(Transport.WEBSOCKET, size);
            // all but the last frame are batched: Jetty writes them with the last one in one gathering write
            core.sendFrame(new Frame(OpCode.TEXT, message.payload()), new Written(size), i < last);
        }
    }

    /** Releases a frame's bytes from the queued count once Jetty is done with it. */
    private final class Written implements Callback {
        private final int size;

        Written(int size) {
            this.size = size;
        }

        @Override
        public void succeeded() {
            queuedBytes.addAndGet(-size);
        }

        @Override
        public void failed(Throwable failure) {
            queuedBytes.addAndGet(-size);
            LOG.debug("Send to WebSocket {} failed", id, failure);
        }
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
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
