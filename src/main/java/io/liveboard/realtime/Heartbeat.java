package io.liveboard.realtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One round of heartbeats over a registry's connections, run periodically by the shared scheduler. */
public final class Heartbeat implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final RoomRegistry registry;

    public Heartbeat(RoomRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void run() {
        registry.forEachConnection(connection -> {
            try {
                connection.heartbeat();
            } catch (RuntimeException e) {
                LOG.warn("Heartbeat failed on connection {}", connection.id(), e);
                connection.close(1011, "heartbeat failed");
            }
        });
    }
}
