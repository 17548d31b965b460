package io.liveboard.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** Reads the server's own figures from its {@code /metrics}: CPU time, messages and bytes sent, memory. */
final class ServerProbe {

    /**
     * One reading. {@code cpuNanos}: process CPU time; {@code wsMessages} and {@code wsBytes}: WebSocket
     * messages sent and their payload bytes.
     */
    record Reading(double cpuNanos, double wsMessages, double wsBytes, double rssBytes, double heapBytes) {
    }

    private final HttpClient http;
    private final URI metrics;

    ServerProbe(HttpClient http, URI base) {
        this.http = http;
        this.metrics = base.resolve("/metrics");
    }

    Reading read() throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Double> samples = new HashMap<>();
        double heap = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            samples.put(name, value);
            if (name.startsWith("jvm_memory_used_bytes{") && name.contains("area=\"heap\"")) {
                heap += value;
            }
        }
        return new Reading(samples.getOrDefault("process_cpu_time_ns_total", Double.NaN),
                samples.getOrDefault("liveboard_messages_sent_total{transport=\"websocket\"}", Double.NaN),
                samples.getOrDefault("liveboard_bytes_sent_bytes_total{transport=\"websocket\"}", Double.NaN),
                samples.getOrDefault("liveboard_process_resident_memory_bytes", Double.NaN), heap);
    }
}
