package io.liveboard.ws;

import io.liveboard.realtime.DeliveryMetrics;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jetty's listener for one socket: hands its life events to the protocol (public because Jetty calls it reflectively). */
public final class WsEndpoint implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(WsEndpoint.class);

    private final WsProtocol protocol;
    private final String id;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private WsConnection connection;

    WsEndpoint(WsProtocol protocol, String id, long maxQueuedBytes, DeliveryMetrics metrics,
            ScheduledExecutorService scheduler) {
        this.protocol = protocol;
        this.scheduler = scheduler;
        this.id = id;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        connection = new WsConnection(id, session, maxQueuedBytes, metrics, scheduler, protocol::closed);
        protocol.opened(connection);
    }

    @Override
    public void onWebSocketText(String message) {
        protocol.received(connection, message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
        callback.succeed();
        protocol.refuse(connection, "Binary messages are not supported: send JSON text");
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        connection.ponged();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (connection != null) {
            protocol.closed(connection);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("WebSocket {} failed", id, cause);
    }
}
