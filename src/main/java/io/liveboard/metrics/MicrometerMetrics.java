package io.liveboard.metrics;

import io.liveboard.http.RequestMetrics;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.RoomRegistry;
import io.liveboard.realtime.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * Liveboard's meters on a Prometheus registry: connections, rooms and members per transport, messages and
 * bytes sent, drops, slow-consumer cuts, fan-out time, HTTP requests, and the JVM, process and Jetty
 * thread-pool meters. {@link #scrape()} is the {@code /metrics} text.
 */
public final class MicrometerMetrics implements DeliveryMetrics, RequestMetrics, AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Transport, Counter> messages = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> bytes = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> dropped = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> slow = new EnumMap<>(Transport.class);
    private final Timer fanout;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public MicrometerMetrics() {
        for (Transport transport : Transport.values()) {
            Tags tags = Tags.of("transport", name(transport));
            messages.put(transport, Counter.builder("liveboard.messages.sent").tags(tags)
                    .description("Messages handed to client connections").register(registry));
            bytes.put(transport, Counter.builder("liveboard.bytes.sent").tags(tags).baseUnit("bytes")
                    .description("Payload bytes handed to client connections").register(registry));
            dropped.put(transport, Counter.builder("liveboard.sends.dropped").tags(tags)
                    .description("Messages not sent because the connection was closing").register(registry));
            slow.put(transport, Counter.builder("liveboard.slow.consumer.disconnects").tags(tags)
                    .description("Connections cut because their outbound queue overflowed").register(registry));
        }
        fanout = Timer.builder("liveboard.fanout").description("Time to hand one event to every recipient")
                .publishPercentiles(0.5, 0.99).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("liveboard.process.resident.memory", MicrometerMetrics::residentBytes).baseUnit("bytes")
                .description("Resident set size of the process (Linux)").register(registry);
    }

    /** VmRSS from /proc/self/status; NaN where there is no such file. */
    private static double residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static String name(Transport transport) {
        return transport.name().toLowerCase(Locale.ROOT);
    }

    /** Gauges over a registry's connections, rooms and room members. */
    public void watch(Transport transport, RoomRegistry rooms) {
        Tags tags = Tags.of("transport", name(transport));
        Gauge.builder("liveboard.connections", rooms, RoomRegistry::connectionCount).tags(tags)
                .description("Open connections").register(registry);
        Gauge.builder("liveboard.rooms", rooms, RoomRegistry::roomCount).tags(tags)
                .description("Boards with at least one member").register(registry);
        Gauge.builder("liveboard.room.members", rooms, r -> r.roomSizes().values().stream().mapToInt(i -> i).sum())
                .tags(tags).description("Room memberships (a connection in two rooms counts twice)").register(registry);
    }

    public void watch(ThreadPool pool) {
        new JettyServerThreadPoolMetrics(pool, Tags.empty()).bindTo(registry);
    }

    /** A counter of the application's own, such as events published; {@code tags} are name, value pairs. */
    public Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    @Override
    public void sent(Transport transport, int size) {
        messages.get(transport).increment();
        bytes.get(transport).increment(size);
    }

    @Override
    public void dropped(Transport transport) {
        dropped.get(transport).increment();
    }

    @Override
    public void slowConsumer(Transport transport) {
        slow.get(transport).increment();
    }

    @Override
    public void fannedOut(long nanos) {
        fanout.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void record(String method, String route, int status, long nanos) {
        Timer.builder("http.server.requests")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Unhooks the GC listeners and closes the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
