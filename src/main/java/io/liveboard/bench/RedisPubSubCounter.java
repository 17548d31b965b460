package io.liveboard.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;

/**
 * Counts what a Redis carried for the {@code cluster} scenario, without slowing it (no MONITOR): the PUBLISH
 * commands it has processed ({@code INFO commandstats} → {@code cmdstat_publish:calls=N}, one Redis-side counter
 * read per reading) and how many connections are subscribed to a channel ({@code PUBSUB NUMSUB}) or to patterns
 * ({@code PUBSUB NUMPAT}). Redis hands each PUBLISH to every subscriber of its channel, so the messages it sends
 * per event are publishes per event × subscribers of the board's channel (when no pattern subscriptions exist).
 */
final class RedisPubSubCounter implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RedisPubSubCounter(String url) {
        client = RedisClient.create(url);
        connection = client.connect();
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

    /** Connections subscribed to {@code channel}. */
    long subscribers(String channel) {
        Map<String, Long> counts = connection.sync().pubsubNumsub(channel);
        return counts.getOrDefault(channel, 0L);
    }

    /** Connections subscribed to any pattern. */
    long patternSubscribers() {
        return connection.sync().pubsubNumpat();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
