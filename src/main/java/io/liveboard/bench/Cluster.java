package io.liveboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The {@code cluster} scenario: several nodes of one cluster (same PostgreSQL, same Redis), {@code --clients}
 * WebSocket clients spread evenly over their {@code --urls} (client i on node i mod n, all joined to one board),
 * tasks POSTed to the first node, open loop at {@code --rate} deliveries per second (or closed loop with
 * {@code --concurrency} events in flight with {@code --rate 0}). Reports publish→receive latency for all clients,
 * and separately for the clients on the POSTing node ({@code postingNode…}) and on the other nodes
 * ({@code otherNodes…}): the difference is what crossing Redis costs. With {@code --redis-url}, also what Redis
 * carried per event: the PUBLISH commands of the run (all channels), the messages on the board's channel, the nodes
 * subscribed to it, and so the messages Redis sent to nodes per event (see {@link RedisPubSubCounter}). With one
 * URL it is the same scenario on one node. The board's channel is counted after the run's last delivery, so
 * a message published later (there is none in this scenario) would not be seen.
 */
final class Cluster {

    /**
     * The {@code cluster} scenario's own settings.
     *
     * @param urls     the nodes ({@code --urls}, comma-separated; default: {@code --url} alone); tasks go to the first
     * @param redisUrl the cluster's Redis, to count its PUBLISH commands and subscribers ({@code --redis-url}); null:
     *                 not counted
     */
    record Settings(List<URI> urls, String redisUrl) {

        static Settings parse(String urls, String redisUrl, URI fallback) {
            List<URI> nodes = new ArrayList<>();
            if (urls == null) {
                nodes.add(fallback);
            } else {
                for (String url : urls.split(",")) {
                    if (!url.isBlank()) {
                        nodes.add(URI.create(url.strip()));
                    }
                }
            }
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("--urls names no node");
            }
            return new Settings(List.copyOf(nodes), redisUrl);
        }
    }

    /** The channel {@code RedisEventBus} publishes a board's events on. */
    private static final String CHANNEL = "liveboard:board:";

    private final BenchOptions options;
    private final HttpClient http;
    private final List<URI> nodes;

    Cluster(BenchOptions options, HttpClient http) {
        this.options = options;
        this.http = http;
        this.nodes = options.cluster().urls();
    }

    void run(Consumer<Map<String, Object>> report) throws Exception {
        URI posting = nodes.get(0);
        JsonNode board = Bench.createBoard(http, posting, "bench cluster");
        String boardId = board.path("id").asText();
        String list = board.path("lists").get(0).path("id").asText();
        int[] membersOn = new int[nodes.size()];
        for (int i = 0; i < options.clients(); i++) {
            membersOn[i % nodes.size()]++;
        }
        List<Subscribers> groups = new ArrayList<>();
        List<ServerProbe> probes = new ArrayList<>();
        String redisUrl = options.cluster().redisUrl();
        try (RedisPubSubCounter redis = redisUrl == null ? null : new RedisPubSubCounter(redisUrl, CHANNEL + boardId)) {
            try {
                for (int n = 0; n < nodes.size(); n++) {
                    groups.add(new Subscribers(Bench.webSocket(nodes.get(n)), List.of(boardId), membersOn[n],
                            options.addresses()));
                    probes.add(new ServerProbe(http, nodes.get(n)));
                }
                for (int run = 1; run <= options.runs(); run++) {
                    groups.forEach(Subscribers::reset);
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("scenario", "cluster");
                    result.put("clients", options.clients());
                    result.put("concurrency", options.rate() > 0 ? 0 : options.concurrency());
                    result.put("rate", options.rate());
                    result.put("run", run);
                    result.put("nodes", nodes.size());
                    result.put("clientsPerNode", Arrays.toString(membersOn));
                    result.put("events", options.events());
                    measure(groups, probes, redis, boardId, list, membersOn, result);
                    report.accept(result);
                }
            } finally {
                groups.forEach(Subscribers::close);
            }
        }
    }

    private void measure(List<Subscribers> groups, List<ServerProbe> probes, RedisPubSubCounter redis,
            String boardId, String list, int[] membersOn, Map<String, Object> result) throws Exception {
        int events = options.events();
        int busyGroups = (int) Arrays.stream(membersOn).filter(m -> m > 0).count();
        Semaphore window = new Semaphore(options.concurrency());
        AtomicIntegerArray groupsDone = new AtomicIntegerArray(events);
        for (int n = 0; n < groups.size(); n++) {
            int members = membersOn[n];
            groups.get(n).expect(events, i -> members, i -> {
                if (groupsDone.incrementAndGet(i) == busyGroups) {
                    window.release();
                }
            });
        }
        TaskPoster poster = new TaskPoster(http, nodes.get(0));
        TaskPoster.SendObserver sent = (i, nanos) -> groups.forEach(g -> g.sent(i, nanos));
        List<ServerProbe.Reading> before = read(probes);
        long publishesBefore = redis == null ? 0 : redis.publishes();
        long messagesBefore = redis == null ? 0 : redis.channelMessages();
        long start = System.nanoTime();
        if (options.rate() > 0) {
            poster.openLoop(events, options.rate() / (double) options.clients(), i -> list, sent);
        } else {
            poster.closedLoop(events, window, false, i -> list, sent);
        }
        long expected = (long) events * options.clients();
        Bench.awaitDeliveries(() -> groups.stream().mapToLong(Subscribers::received).sum(), expected);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<ServerProbe.Reading> after = read(probes);
        long delivered = groups.stream().mapToLong(Subscribers::received).sum();
        Map<String, Integer> perBoard = Map.of(boardId, events);
        result.put("postFailures", poster.failures());
        result.put("deliveries", delivered);
        result.put("lost", groups.stream().mapToLong(g -> g.missing(perBoard)).sum());
        result.put("seconds", Bench.round(seconds));
        result.put("deliveriesPerSec", Math.round(delivered / seconds));
        Histogram all = merged(groups);
        Histogram postingNode = merged(groups.subList(0, 1));
        Histogram otherNodes = merged(groups.subList(1, groups.size()));
        Bench.putLatency(result, "latency", all);
        Bench.putLatency(result, "postingNodeLatency", postingNode);
        Bench.putLatency(result, "otherNodesLatency", otherNodes);
        result.put("crossNodeAddedP99Ms", otherNodes.getTotalCount() == 0 || postingNode.getTotalCount() == 0 ? null
                : Bench.round((otherNodes.getValueAtPercentile(99) - postingNode.getValueAtPercentile(99)) / 1e6));
        Bench.putLatency(result, "postLatency", poster.latency());
        double cpuNanos = 0;
        double wsMessages = 0;
        for (int n = 0; n < probes.size(); n++) {
            cpuNanos += after.get(n).cpuNanos() - before.get(n).cpuNanos();
            wsMessages += after.get(n).wsMessages() - before.get(n).wsMessages();
        }
        result.put("serverCpuSeconds", Bench.round(cpuNanos / 1e9));
        result.put("serverCpuUsPerDelivery", Bench.round(cpuNanos / 1e3 / wsMessages));
        if (redis != null) {
            // the counter hears the board's channel as the nodes do: give its last message a moment to arrive
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (redis.channelMessages() - messagesBefore < events && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long onChannel = redis.channelMessages() - messagesBefore;
            long subscribed = redis.subscribers();
            result.put("redisPublishes", redis.publishes() - publishesBefore);
            result.put("redisBoardMessages", onChannel);
            result.put("redisBoardMessagesPerEvent", Bench.round(onChannel / (double) events));
            result.put("redisBoardChannelSubscribers", subscribed);
            result.put("redisPatternSubscribers", redis.patternSubscribers());
            // Redis sends each message on the channel to every node subscribed to it (the POSTing node's own included)
            result.put("redisMessagesToNodesPerEvent", Bench.round(onChannel * subscribed / (double) events));
        }
    }

    private static List<ServerProbe.Reading> read(List<ServerProbe> probes) throws Exception {
        List<ServerProbe.Reading> readings = new ArrayList<>();
        for (ServerProbe probe : probes) {
            readings.add(probe.read());
        }
        return readings;
    }

    private static Histogram merged(List<Subscribers> groups) {
        Histogram merged = new Histogram(3_600_000_000_000L, 3);
        groups.forEach(g -> merged.add(g.latency()));
        return merged;
    }
}
