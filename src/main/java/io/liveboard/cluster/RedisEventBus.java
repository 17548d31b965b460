package io.liveboard.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.liveboard.board.BoardEvent;
import io.liveboard.config.RedisUrl;
import io.liveboard.json.Json;
import io.liveboard.logging.LogThrottle;
import io.liveboard.realtime.EventBus;
import io.liveboard.realtime.LocalEventBus;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventBus} between the nodes of one database, through Redis pub/sub. An event published here reaches this
 * node's subscribers at once (as on {@link LocalEventBus}), and goes to channel {@code liveboard:board:<boardId>}
 * after, fire-and-forget: a Redis that is down costs the other nodes the fast path (the fan-out's sweep brings them
 * the event from the store), never the write. The message carries the event as JSON with the id of the connection
 * that caused it (so that it is spared its broadcast whichever node it is on) and this node's id (so that this node
 * ignores its own messages when they come back).
 *
 * <p>Subscriptions ({@link #follow}) run on a connection of their own, which Lettuce reconnects and resubscribes
 * after an outage; messages of other nodes reach the subscribers on Lettuce's thread. Publishing runs on another
 * connection, which refuses commands while it is cut off rather than queue them.
 */
public final class RedisEventBus implements EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);
    private static final String CHANNEL = "liveboard:board:";
    /** How long a publish may wait for Redis before it counts as failed. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final String node = UUID.randomUUID().toString();
    /** How this node's own messages begin ({@link #encode} writes the node first): dropped unread when they return. */
    private final String ownPrefix = "{\"node\":\"" + node + "\"";
    private final LocalEventBus local = new LocalEventBus();
    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    private final LogThrottle publishFailures = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle badMessages = new LogThrottle(Duration.ofSeconds(10));
    private final RedisClient publisher;
    private final RedisClient subscriber;
    private final StatefulRedisConnection<String, String> publishing;
    private final StatefulRedisPubSubConnection<String, String> subscriptions;
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile boolean open = true;

    private RedisEventBus(RedisUrl url, RedisResources resources) {
        RedisURI uri = RedisURI.create(url.url());
        publisher = RedisClient.create(resources.lettuce(), uri);
        publisher.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
        subscriber = RedisClient.create(resources.lettuce(), uri);
        // Lettuce's own lines about each reconnection attempt are kept out of the log (simplelogger.properties); the
        // subscribe connection says once that it was lost, and once that it is back
        subscriber.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (open) {
                    LOG.warn("Lost the connection to Redis at {}; reconnecting (meanwhile the other nodes' events come "
                            + "from the database, within about a second)", url);
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connected.getAndSet(true)) {
                    LOG.info("Connected to Redis at {} again", url);
                }
            }
        });
        // subscriptions asked for while cut off are sent once connected again, with the ones Lettuce resubscribes
        subscriber.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS).build());
        StatefulRedisConnection<String, String> pub = null;
        try {
            pub = publisher.connect();
            subscriptions = subscriber.connectPubSub();
        } catch (RuntimeException e) {
            if (pub != null) {
                pub.close();
            }
            shutdown();
            throw new RedisUnreachableException("cannot reach Redis at " + url + ": " + rootMessage(e), e);
        }
        publishing = pub;
        subscriptions.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received(message);
            }
        });
    }

    /**
     * Connects to the Redis at {@code url}, on the node's {@code resources}.
     *
     * @throws RedisUnreachableException when it cannot be reached (its message says why, without a password)
     */
    public static RedisEventBus connect(RedisUrl url, RedisResources resources) {
        return new RedisEventBus(url, resources);
    }

    @Override
    public void publish(BoardEvent event) {
        local.publish(event);
        try {
            publishing.async().publish(CHANNEL + event.boardId(), encode(event)).whenComplete((receivers, failure) -> {
                if (failure != null) {
                    publishFailed(event, failure);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(event, e);
        }
    }

    private void publishFailed(BoardEvent event, Throwable failure) {
        long times = publishFailures.next();
        if (times > 0) {
            LOG.warn("Publishing to Redis failed {} time(s), the last event #{} of board {} (other nodes read it from "
                    + "the database within about a second): {}", times, event.seq(), event.boardId(),
                    rootMessage(failure));
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<BoardEvent> subscriber) {
        return local.subscribe(subscriber);
    }

    @Override
    public void follow(String boardId) {
        if (followed.add(boardId)) {
            subscriptions.async().subscribe(CHANNEL + boardId);
        }
    }

    @Override
    public void unfollow(String boardId) {
        if (followed.remove(boardId)) {
            subscriptions.async().unsubscribe(CHANNEL + boardId);
        }
    }

    /** A message of any node: handed to the subscribers unless it is this node's own. */
    private void received(String message) {
        if (message.startsWith(ownPrefix)) {
            return; // delivered here at once when published
        }
        BoardEvent event;
        try {
            Map<String, Object> fields = Json.readMap(message);
            if (node.equals(fields.get("node"))) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) fields.get("data");
            event = new BoardEvent((String) fields.get("boardId"), ((Number) fields.get("seq")).longValue(),
                    (String) fields.get("type"), data, Instant.parse((String) fields.get("at")),
                    (String) fields.get("originId"));
        } catch (RuntimeException e) {
            if (badMessages.next() > 0) {
                LOG.warn("Ignored a message from Redis that is not a board event: {}", e.toString());
            }
            return;
        }
        local.publish(event);
    }

    private String encode(BoardEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("node", node);
        fields.put("boardId", event.boardId());
        fields.put("seq", event.seq());
        fields.put("type", event.type());
        fields.put("at", event.at().toString());
        fields.put("originId", event.originId());
        fields.put("data", event.data());
        return Json.write(fields);
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private void shutdown() {
        publisher.shutdown();
        subscriber.shutdown();
    }

    @Override
    public void close() {
        open = false;
        local.close();
        try {
            subscriptions.close();
            publishing.close();
        } finally {
            shutdown();
        }
    }
}
