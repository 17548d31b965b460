package io.liveboard.realtime;

import io.liveboard.auth.User;
import java.util.List;

/**
 * One live client, whatever its transport. Implementations are thread-safe: any thread may send, and
 * sending never blocks. Messages sent to one connection are delivered in the order of the send calls or
 * not at all: a connection that cannot keep up (its bounded outbound queue is full) or whose peer is gone
 * is closed, never skipped over.
 */
public interface Connection {

    /** Unique among the server's connections; WebSocket clients learn theirs in {@code connected}. */
    String id();

    Transport transport();

    /** Who is on the other end (for presence); a guest of this connection unless it authenticated. */
    default User user() {
        return User.guest(id());
    }

    /** Queues the message for the client and returns at once. Ignored once the connection is closed. */
    default void send(OutboundMessage message) {
        send(List.of(message));
    }

    /**
     * Queues the messages, in order, and returns at once; they are written together where the transport
     * can (one socket write for several frames). Ignored once the connection is closed.
     */
    void send(List<OutboundMessage> messages);

    boolean isOpen();

    /** Closes the connection (WebSocket close code and reason; streams simply end). Idempotent. */
    void close(int code, String reason);

    /**
     * Called periodically by one shared scheduler: proves the peer is still there (a WebSocket ping, an SSE
     * comment) and closes the connection if it did not answer the previous probe.
     */
    void heartbeat();
}
