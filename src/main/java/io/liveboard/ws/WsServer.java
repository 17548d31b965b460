package io.liveboard.ws;

import io.liveboard.http.Gate;
import io.liveboard.http.OriginPolicy;
import io.liveboard.realtime.DeliveryMetrics;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Mounts the WebSocket endpoint at {@code /} and {@code /ws} with its limits. An upgrade from an origin that
 * is not allowed is refused with 403; the token it carries (if any) is checked once the socket is open, so that
 * a refusal can say why.
 */
public final class WsServer {

    /** The socket limits: idle timeout, largest message, outbound queue, and messages per second. */
    public record Limits(Duration idleTimeout, int maxMessageBytes, long maxQueuedBytes, int messagesPerSecond) {
    }

    private final WsProtocol protocol;
    private final Limits limits;
    private final OriginPolicy origins;
    private final DeliveryMetrics metrics;
    private final ScheduledExecutorService scheduler;

    public WsServer(WsProtocol protocol, Limits limits, OriginPolicy origins, DeliveryMetrics metrics,
            ScheduledExecutorService scheduler) {
        this.protocol = protocol;
        this.limits = limits;
        this.origins = origins;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    public void configure(ServerWebSocketContainer container) {
        container.setIdleTimeout(limits.idleTimeout());
        container.setMaxTextMessageSize(limits.maxMessageBytes());
        container.setMaxBinaryMessageSize(limits.maxMessageBytes());
        container.addMapping(new RegexPathSpec("^/(ws)?$"), (request, response, callback) -> {
            if (!origins.allows(request.getHeaders().get(HttpHeader.ORIGIN))) {
                Response.writeError(request, response, callback, 403, "Origin not allowed");
                return null;
            }
            WsEndpoint.Upgrade upgrade = new WsEndpoint.Upgrade(UUID.randomUUID().toString(),
                    Gate.token(request).orElse(null));
            return new WsEndpoint(protocol, upgrade, (id, session) -> new WsConnection(id, session,
                    limits.maxQueuedBytes(), metrics, scheduler, protocol::closed, limits.messagesPerSecond()));
        });
    }
}
