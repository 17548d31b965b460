package io.liveboard.ws;

import io.liveboard.realtime.DeliveryMetrics;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/** Mounts the WebSocket endpoint at {@code /} and {@code /ws} with its limits. */
public final class WsServer {

    private final WsProtocol protocol;
    private final Duration idleTimeout;
    private final int maxMessageBytes;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;
    private final ScheduledExecutorService scheduler;

    public WsServer(WsProtocol protocol, Duration idleTimeout, int maxMessageBytes, long maxQueuedBytes,
            DeliveryMetrics metrics, ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        this.protocol = protocol;
        this.idleTimeout = idleTimeout;
        this.maxMessageBytes = maxMessageBytes;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
    }

    public void configure(ServerWebSocketContainer container) {
        container.setIdleTimeout(idleTimeout);
        container.setMaxTextMessageSize(maxMessageBytes);
        container.setMaxBinaryMessageSize(maxMessageBytes);
        // frames under a quarter of this are batched into one write when several are sent together
        container.setOutputBufferSize(32 * 1024);
        container.addMapping(new RegexPathSpec("^/(ws)?$"),
                (request, response, callback) -> new WsEndpoint(protocol, UUID.randomUUID().toString(), maxQueuedBytes,
                        metrics, scheduler));
    }
}
