package io.liveboard.cluster;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce resources (event loops, timers) of one node's connections to Redis, shared by its {@link RedisEventBus}
 * and its {@link RedisPresenceDirectory} as Lettuce advises. Connections on them try again from 100 ms to 1 s apart,
 * so a node is back within a second or two of Redis coming back, not Lettuce's default of up to 30 s. Closed after
 * everything that connects through them.
 */
public final class RedisResources implements AutoCloseable {

    private final ClientResources lettuce = ClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();

    ClientResources lettuce() {
        return lettuce;
    }

    @Override
    public void close() {
        lettuce.shutdown();
    }
}
