package io.liveboard.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what a Redis carried for the {@code cluster} scenario, without slowing it (no MONITOR): the PUBLISH
 * commands it processed in all ({@code INFO commandstats} → {@code cmdstat_publish:calls=N}, presence's included),
 * the messages on one channel (this counter subscribes to it itself, so Redis sends it one more copy of each), and
 * the connections subscribed to that channel ({@code PUBSUB NUMSUB}, this counter's own left out) or to patterns
 * ({@code PUBSUB NUMPAT}). Redis hands each message to every subscriber of its channel, so it sends messages on
 * the channel × its subscribers.
 */
final class RedisPubSubCounter implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> listening;
    private final String channel;
    private final AtomicLong messages = new AtomicLong();

    /** Connects to the Redis at {@code url} and subscribes to {@code channel}; returns once subscribed. */
    RedisPubSubCounter(String url, String channel) {
        this.channel = channel;
        client = RedisClient.create(url);
        connection = client.connect();
        listening = client.connectPubSub();
        listening.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String on, String message) {
                messages.incrementAndGet();
            }
        });
        listening.sync().subscribe(channel);
    }

    /** PUBLISH commands Redis has processed since it started (or since its stats were last reset). */
    long publishes() {
        String stats = connection.sync().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_publish:")) {
                for (String field : line.substring("cmdstat_publish:".length()).split(",")) {
                    if (field.startsWith("calls=")) {
                        return Long.parseLong(field.substring("calls=".length()));
                    }
                }
            }
        }
        return 0;
    }

    /** Messages published on the channel since this counter subscribed. */
    long channelMessages() {
        return messages.get();
    }

    /** Connections subscribed to the channel, this counter's own not counted. */
    long subscribers() {
        Map<String, Long> counts = connection.sync().pubsubNumsub(channel);
        return counts.getOrDefault(channel, 0L) - 1;
    }

    /** Connections subscribed to any pattern. */
    long patternSubscribers() {
        return connection.sync().pubsubNumpat();
    }

    @Override
    public void close() {
        listening.close();
        connection.close();
        client.shutdown();
    }
}
