package io.liveboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real Jetty WebSocket client that records every text message it gets. {@link #await} waits for a
 * message matching a condition (skipping and remembering the others); nothing here sleeps blindly.
 */
public final class WsClient implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final WebSocketClient jetty;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Session session;
    private volatile String closeReason;

    private WsClient(WebSocketClient jetty, URI uri, Map<String, String> headers) throws Exception {
        this.jetty = jetty;
        Listener listener = new Listener();
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(uri);
        headers.forEach(upgrade::setHeader);
        this.session = jetty.connect(listener, upgrade).get(10, TimeUnit.SECONDS);
    }

    /** Public because Jetty calls listener methods reflectively. */
    public final class Listener implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            try {
                inbox.add(Json.parse(message));
            } catch (Exception e) {
                inbox.add(Json.MAPPER.createObjectNode().put("unparsable", message));
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a socket torn down by the test or the server: the close status is what tests look at
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closeReason = reason;
            closed.complete(statusCode);
            callback.succeed();
        }
    }

    /** Connects and waits for the server's {@code connected} message. */
    public static WsClient connect(TestServer server, String path) {
        return connect(server, path, Map.of());
    }

    /**
     * Connects with extra upgrade headers ({@code Authorization}, {@code Cookie}, {@code Origin}; a token in
     * the query goes in {@code path}) and waits for the server's {@code connected} message.
     */
    public static WsClient connect(TestServer server, String path, Map<String, String> headers) {
        return connected(open(server, path, headers));
    }

    /** Connects to a server that is no {@link TestServer} (a node in another process); waits for {@code connected}. */
    public static WsClient connect(URI uri) {
        return connected(open(uri, Map.of()));
    }

    /** Waits for the server's {@code connected} message; closes the client if it does not come. */
    private static WsClient connected(WsClient client) {
        try {
            client.await(m -> "connected".equals(m.path("type").asText()));
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * Completes the upgrade (with extra headers) without waiting for any message: for sockets the server
     * answers with an error and a close instead of {@code connected}.
     */
    public static WsClient open(TestServer server, String path, Map<String, String> headers) {
        return open(URI.create(server.ws(path)), headers);
    }

    private static WsClient open(URI uri, Map<String, String> headers) {
        WebSocketClient jetty = new WebSocketClient();
        // Jetty's default of 64 KiB would refuse a large message from the server (a resync of a big board)
        jetty.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        try {
            jetty.start();
            return new WsClient(jetty, uri, headers);
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("WebSocket connect to " + uri + " failed", e);
        }
    }

    public static WsClient connect(TestServer server) {
        return connect(server, "/ws");
    }

    /** The socketId the server sent in {@code connected}. */
    public String socketId() {
        return seen.stream().filter(m -> "connected".equals(m.path("type").asText())).findFirst()
                .map(m -> m.path("socketId").asText()).orElseThrow();
    }

    public void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    /** Sends {@code join} and waits for {@code joined}; returns it. */
    public JsonNode join(String boardId) {
        send("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}");
        return await(m -> "joined".equals(m.path("type").asText()) && boardId.equals(m.path("boardId").asText()));
    }

    /**
     * A {@code joined} without its position ({@code seq}, {@code epoch}), after checking they are there and
     * well formed: for tests about membership, not positions.
     */
    public static JsonNode withoutPosition(JsonNode joined) {
        if (!joined.path("seq").canConvertToLong() || joined.path("seq").asLong() < 0
                || !joined.path("epoch").asText().matches("[0-9a-f]{8}")) {
            throw new AssertionError("joined without a well-formed seq and epoch: " + joined);
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = joined.deepCopy();
        copy.remove("seq");
        copy.remove("epoch");
        return copy;
    }

    /** A {@code user_joined}/{@code user_left} without its {@code user}, after checking it names a guest. */
    public static JsonNode withoutUser(JsonNode announcement) {
        if (!announcement.path("user").path("userId").asText().startsWith("guest-")
                || !announcement.path("user").path("name").asText().startsWith("Guest ")) {
            throw new AssertionError("announcement without a guest user: " + announcement);
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = announcement.deepCopy();
        copy.remove("user");
        return copy;
    }

    /** The next message matching the condition, waiting up to 10 s; fails the test otherwise. */
    public JsonNode await(Predicate<JsonNode> condition) {
        return await(condition, WAIT);
    }

    public JsonNode await(Predicate<JsonNode> condition, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode message = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (message == null) {
                    throw new AssertionError("No matching message within " + wait + "; " + seen.size()
                            + " received, the last: " + abbreviated(seen.subList(Math.max(0, seen.size() - 5), seen.size())));
                }
                seen.add(message);
                if (condition.test(message)) {
                    return message;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next message, whatever it is, or null if none came within {@code wait}: for a reader of its own that
     * records everything (one thread only, as for {@link #await}).
     */
    public JsonNode poll(Duration wait) {
        try {
            JsonNode message = inbox.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (message != null) {
                seen.add(message);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String abbreviated(List<JsonNode> messages) {
        return messages.stream().map(JsonNode::toString)
                .map(m -> m.length() <= 300 ? m : m.substring(0, 300) + "…(" + m.length() + " chars)").toList().toString();
    }

    /** Waits for the next message of this type. */
    public JsonNode awaitType(String type) {
        return await(m -> type.equals(m.path("type").asText()));
    }

    /** Waits for the next {@code {"error": …}} message. */
    public JsonNode awaitError() {
        return await(m -> m.has("error"));
    }

    /**
     * Proves nothing matching arrived: sends a ping and reads up to its pong (the server answers in order),
     * failing if a matching message came before it.
     */
    public void assertNoneBeforePong(Predicate<JsonNode> condition) {
        send("{\"type\":\"ping\"}");
        JsonNode message;
        do {
            message = await(m -> true);
            if (condition.test(message)) {
                throw new AssertionError("Unexpected message " + message);
            }
        } while (!"pong".equals(message.path("type").asText()));
    }

    /** Every message received so far (awaited or not). */
    public List<JsonNode> drain() {
        inbox.drainTo(seen);
        return List.copyOf(seen);
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /** The close status code, waiting for the close up to 10 s. */
    public int awaitClose() {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Socket was not closed within " + WAIT, e);
        }
    }

    public String closeReason() {
        return closeReason;
    }

    public Session session() {
        return session;
    }

    @Override
    public void close() {
        try {
            if (session.isOpen()) {
                session.close();
            }
            jetty.stop();
        } catch (Exception e) {
            // closing a test client: nothing to do
        }
    }
}
