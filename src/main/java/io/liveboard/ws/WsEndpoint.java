package io.liveboard.ws;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jetty's listener for one socket: hands its life events to the protocol (public because Jetty calls it reflectively). */
public final class WsEndpoint implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(WsEndpoint.class);

    /** What the upgrade request brought: the socket's id and its token (or null). */
    record Upgrade(String id, String token) {
    }

    private final WsProtocol protocol;
    private final Upgrade upgrade;
    private final WsConnectionFactory connections;
    private WsConnection connection;

    /** Makes the connection once Jetty hands over the session. */
    @FunctionalInterface
    interface WsConnectionFactory {
        WsConnection create(String id, Session session);
    }

    WsEndpoint(WsProtocol protocol, Upgrade upgrade, WsConnectionFactory connections) {
        this.protocol = protocol;
        this.upgrade = upgrade;
        this.connections = connections;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        connection = connections.create(upgrade.id(), session);
        protocol.opened(connection, upgrade.token());
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
    public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
        if (connection != null) {
            protocol.closed(connection);
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("WebSocket {} failed", upgrade.id(), cause);
    }
}
