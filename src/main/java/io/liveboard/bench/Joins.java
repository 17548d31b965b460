package io.liveboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code joins} scenario: what it costs the server when {@code --clients} WebSocket clients join one board,
 * {@code --concurrency} joins in flight, and whether the board still works after it. Each run, on a fresh
 * board with fresh connections, (1) joins them all, timing each join (connect start → {@code joined}) and
 * reading the server's CPU time, messages and bytes sent from its {@code /metrics}; (2) waits until no message
 * has reached any client for 1 s (announcements of the joins may still be on their way), at most 60 s after
 * the last join; (3) POSTs one task and times its {@code task_created} at every client, waiting for it 30 s.
 */
final class Joins {

    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SETTLE_CAP_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long TASK_WAIT_SECONDS = 30;
    /** Between runs, for the server to see the previous run's connections closed. */
    private static final long PAUSE_MILLIS = 2_000;

    private final BenchOptions options;
    private final HttpClient http;
    private final ServerProbe probe;

    Joins(BenchOptions options, HttpClient http, ServerProbe probe) {
        this.options = options;
        this.http = http;
        this.probe = probe;
    }

    /** Measures {@code --runs} times, reporting each run's figures. */
    void run(Consumer<Map<String, Object>> report) throws Exception {
        for (int run = 1; run <= options.runs(); run++) {
            if (run > 1) {
                Thread.sleep(PAUSE_MILLIS);
            }
            report.accept(measure(run));
        }
    }

    private Map<String, Object> measure(int run) throws Exception {
        JsonNode board = Bench.createBoard(http, options.url(), "bench joins " + run);
        String boardId = board.path("id").asText();
        String listId = board.path("lists").get(0).path("id").asText();
        int clients = options.clients();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", "joins");
        result.put("run", run);
        result.put("clients", clients);
        result.put("concurrency", options.concurrency());
        result.put("addresses", options.addresses());
        ServerProbe.Reading before = probe.read();
        try (Subscribers subscribers = new Subscribers(Bench.webSocket(options.url()), List.of(boardId), clients,
                options.addresses(), options.concurrency())) {
            long lastJoined = subscribers.lastJoinedAt();
            double joinSeconds = (lastJoined - subscribers.firstConnectAt()) / 1e9;
            result.put("joinSeconds", Bench.round(joinSeconds));
            result.put("joinsPerSec", Math.round(clients / joinSeconds));
            Bench.putLatency(result, "joinLatency", subscribers.joinLatency());
            result.put("settleSeconds", Bench.round(settle(subscribers, lastJoined) / 1e9));
            result.put("clientFramesReceived", subscribers.framesReceived());
            ServerProbe.Reading after = probe.read();
            double bytes = after.wsBytes() - before.wsBytes();
            result.put("serverCpuSeconds", Bench.round((after.cpuNanos() - before.cpuNanos()) / 1e9));
            result.put("serverMessagesSent", Math.round(after.wsMessages() - before.wsMessages()));
            result.put("serverBytesSent", Math.round(bytes));
            result.put("serverBytesPerJoin", Bench.round(bytes / clients));
            result.put("serverRssMiB", Bench.round(after.rssBytes() / 1048576));

            CountDownLatch reachedAll = new CountDownLatch(1);
            subscribers.expect(1, task -> clients, task -> reachedAll.countDown());
            TaskPoster poster = new TaskPoster(http, options.url());
            poster.closedLoop(1, new Semaphore(1), true, task -> listId, subscribers::sent);
            reachedAll.await(TASK_WAIT_SECONDS, TimeUnit.SECONDS);
            long reached = subscribers.received();
            result.put("postFailures", poster.failures());
            result.put("taskReached", reached);
            result.put("lost", clients - reached);
            Bench.putLatency(result, "taskLatency", subscribers.latency());
        }
        return result;
    }

    /**
     * Waits until no message has reached any client for 1 s, or until 60 s after the last join; returns the
     * nanoseconds from the last join to the last message before that quiet second (60 s if none came).
     */
    private static long settle(Subscribers subscribers, long lastJoined) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            long lastFrame = Math.max(lastJoined, subscribers.lastFrameAt());
            if (now - lastFrame >= QUIET_NANOS) {
                return Math.min(lastFrame - lastJoined, SETTLE_CAP_NANOS);
            }
            if (now - lastJoined >= SETTLE_CAP_NANOS) {
                return SETTLE_CAP_NANOS;
            }
            Thread.sleep(20);
        }
    }
}
