package io.liveboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator: runs one scenario against a running Liveboard and prints a summary and one JSON
 * line. Server-side figures (CPU time, messages sent, memory) come from the server's {@code /metrics}, so
 * they do not include the load generator's own work.
 */
public final class Bench {

    private final BenchOptions options;
    /**
     * HTTP/1.1 only: by default the JDK's client asks every new connection to upgrade to h2c, which a Node.js
     * server with a WebSocket upgrade handler (the seed yardstick) hands to that handler, refusing the request.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ServerProbe probe;

    public Bench(BenchOptions options) {
        this.options = options;
        this.probe = new ServerProbe(http, options.url());
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.out.print(BenchOptions.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        BenchOptions options = BenchOptions.parse(args[0], List.of(args).subList(1, args.length));
        new Bench(options).run(args[0], result -> {
            result.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-26s %s%n", k, v));
            System.out.println(Json.write(result));
        });
        System.exit(0);
    }

    /** Runs a scenario and returns its last run's figures (the JSON line's content). */
    public Map<String, Object> run(String scenario) throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        run(scenario, results::add);
        return results.get(results.size() - 1);
    }

    /**
     * Runs a scenario {@code --runs} times (on the same connections; {@code joins} on fresh ones), reporting
     * each run's figures.
     */
    public void run(String scenario, Consumer<Map<String, Object>> report) throws Exception {
        switch (scenario) {
            case "fanout", "rooms" -> fanout(scenario, report);
            case "connections" -> report.accept(connections());
            case "flood" -> report.accept(new Flood(options).run());
            case "polls" -> new Polls(options, http, probe).run(report);
            case "joins" -> new Joins(options, http, probe).run(report);
            case "floor" -> new Floor(options).run(report);
            case "cluster" -> new Cluster(options, http).run(report);
            case "writes" -> {
                for (int run = 1; run <= options.runs(); run++) {
                    report.accept(writes());
                }
            }
            default -> throw new IllegalArgumentException("Unknown scenario " + scenario + "\n" + BenchOptions.USAGE);
        }
    }

    private void fanout(String scenario, Consumer<Map<String, Object>> report) throws Exception {
        List<String> boards = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        for (int b = 0; b < options.boards(); b++) {
            JsonNode board = createBoard(http, options.url(), "bench " + scenario + " " + b);
            boards.add(board.path("id").asText());
            lists.add(board.path("lists").get(0).path("id").asText());
        }
        int events = options.events();
        Map<String, Integer> perBoard = new LinkedHashMap<>();
        for (int i = 0; i < events; i++) {
            perBoard.merge(boards.get(i % boards.size()), 1, Integer::sum);
        }
        try (Subscribers subscribers = new Subscribers(webSocket(options.url()), boards, options.clients(),
                options.addresses())) {
            long expected = 0;
            for (int i = 0; i < options.clients(); i++) {
                expected += perBoard.getOrDefault(boards.get(i % boards.size()), 0);
            }
            int[] membersOf = new int[boards.size()];
            for (int i = 0; i < options.clients(); i++) {
                membersOf[i % boards.size()]++;
            }
            for (int run = 1; run <= options.runs(); run++) {
                subscribers.reset();
                Map<String, Object> result = header(scenario);
                result.put("run", run);
                result.put("boards", boards.size());
                result.put("events", events);
                measureFanout(subscribers, lists, membersOf, expected, perBoard, result);
                report.accept(result);
            }
        }
    }

    private void measureFanout(Subscribers subscribers, List<String> lists, int[] membersOf, long expected,
            Map<String, Integer> perBoard, Map<String, Object> result) throws Exception {
        int boards = lists.size();
        int events = options.events();
        TaskPoster poster = new TaskPoster(http, options.url());
        // closed loop: at most `concurrency` events are out that have not yet reached every member
        Semaphore window = new Semaphore(options.concurrency());
        subscribers.expect(events, i -> membersOf[i % boards], i -> window.release());
        ServerProbe.Reading before = probe.read();
        long start = System.nanoTime();
        if (options.rate() > 0) {
            double eventsPerSecond = options.rate() / ((double) options.clients() / boards);
            poster.openLoop(events, eventsPerSecond, i -> lists.get(i % lists.size()), subscribers::sent);
        } else {
            poster.closedLoop(events, window, false, i -> lists.get(i % lists.size()), subscribers::sent);
        }
        awaitDeliveries(subscribers::received, expected);
        double seconds = (System.nanoTime() - start) / 1e9;
        ServerProbe.Reading after = probe.read();
        long delivered = subscribers.received();
        result.put("postFailures", poster.failures());
        result.put("deliveries", delivered);
        result.put("lost", subscribers.missing(perBoard));
        result.put("seconds", round(seconds));
        result.put("deliveriesPerSec", Math.round(delivered / seconds));
        putLatency(result, "latency", subscribers.latency());
        putLatency(result, "postLatency", poster.latency());
        double serverDeliveries = after.wsMessages() - before.wsMessages();
        result.put("serverCpuSeconds", round((after.cpuNanos() - before.cpuNanos()) / 1e9));
        result.put("serverCpuUsPerDelivery", round((after.cpuNanos() - before.cpuNanos()) / 1e3 / serverDeliveries));
    }

    private Map<String, Object> connections() throws Exception {
        List<String> boards = new ArrayList<>();
        for (int b = 0; b < options.boards(); b++) {
            boards.add(createBoard(http, options.url(), "bench connections " + b).path("id").asText());
        }
        collectServerGarbage();
        ServerProbe.Reading before = probe.read();
        long start = System.nanoTime();
        try (Subscribers subscribers = new Subscribers(webSocket(options.url()), boards, options.clients(),
                options.addresses())) {
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(2_000);
            collectServerGarbage();
            ServerProbe.Reading after = probe.read();
            int answered = subscribers.pingAll(60_000);
            Map<String, Object> result = header("connections");
            result.put("connected", subscribers.size());
            result.put("connectSeconds", round(connectSeconds));
            result.put("answeredPing", answered);
            result.put("serverRssMiB", round(after.rssBytes() / 1048576));
            result.put("serverRssPerConnectionKiB", round((after.rssBytes() - before.rssBytes()) / 1024 / subscribers.size()));
            result.put("serverHeapPerConnectionKiB",
                    round((after.heapBytes() - before.heapBytes()) / 1024 / subscribers.size()));
            return result;
        }
    }

    /** With {@code --server-pid}, has the server collect garbage, so that heap readings hold live data only. */
    private void collectServerGarbage() throws IOException, InterruptedException {
        if (options.serverPid() > 0) {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(options.serverPid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (jcmd.waitFor() != 0) {
                throw new IllegalStateException("jcmd " + options.serverPid() + " GC.run failed");
            }
        }
    }

    private Map<String, Object> writes() throws Exception {
        JsonNode board = createBoard(http, options.url(), "bench writes");
        String list = board.path("lists").get(0).path("id").asText();
        TaskPoster poster = new TaskPoster(http, options.url());
        ServerProbe.Reading before = probe.read();
        long start = System.nanoTime();
        poster.closedLoop(options.events(), new Semaphore(options.concurrency()), true, i -> list, (i, t) -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        ServerProbe.Reading after = probe.read();
        Map<String, Object> result = header("writes");
        result.put("creates", options.events());
        result.put("failures", poster.failures());
        result.put("seconds", round(seconds));
        result.put("createsPerSec", Math.round(options.events() / seconds));
        putLatency(result, "latency", poster.latency());
        result.put("serverCpuUsPerCreate", round((after.cpuNanos() - before.cpuNanos()) / 1e3 / options.events()));
        return result;
    }

    private Map<String, Object> header(String scenario) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario);
        result.put("clients", options.clients());
        result.put("concurrency", options.rate() > 0 ? 0 : options.concurrency());
        result.put("rate", options.rate());
        return result;
    }

    /** Waits until every expected delivery arrived, or until nothing more arrives for 5 s. */
    static void awaitDeliveries(LongSupplier received, long expected) throws InterruptedException {
        long last = -1;
        long stalledSince = System.nanoTime();
        while (received.getAsLong() < expected) {
            long now = received.getAsLong();
            if (now != last) {
                last = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > 5_000_000_000L) {
                return;
            }
            Thread.sleep(5);
        }
    }

    /** The server's WebSocket endpoint: {@code ws://…/ws} for {@code http://…}. */
    static URI webSocket(URI url) {
        return URI.create(url.toString().replaceFirst("^http", "ws")).resolve("/ws");
    }

    /** Creates a board named {@code name} and returns it as {@code GET /boards/{id}} shows it, lists and all. */
    static JsonNode createBoard(HttpClient http, URI url, String name) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(url.resolve("/boards"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("name", name)))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("POST /boards answered " + created.statusCode() + ": " + created.body());
        }
        String id = Json.parse(created.body()).path("id").asText();
        return Json.parse(http.send(HttpRequest.newBuilder(url.resolve("/boards/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Puts {@code <name>P50Ms}, {@code P99Ms} and {@code MaxMs}; null when nothing was recorded. */
    static void putLatency(Map<String, Object> result, String name, Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            result.put(name + "P50Ms", null);
            result.put(name + "P99Ms", null);
            result.put(name + "MaxMs", null);
            return;
        }
        result.put(name + "P50Ms", round(histogram.getValueAtPercentile(50) / 1e6));
        result.put(name + "P99Ms", round(histogram.getValueAtPercentile(99) / 1e6));
        result.put(name + "MaxMs", round(histogram.getMaxValue() / 1e6));
    }

    /** {@code value} to three decimals. */
    static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
    }
}
