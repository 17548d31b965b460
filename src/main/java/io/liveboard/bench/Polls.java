package io.liveboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;

/**
 * The {@code polls} scenario: {@code --clients} long polls ({@code GET /boards/{id}/poll?after=n}) wait on one
 * board, on Jetty's HTTP client over {@code --addresses} local addresses. Once every request has been sent, and
 * a second more for the server to take them in, one task is POSTed; each poll's latency runs from the POST's
 * send to the arrival of its answer, which must hold exactly that task's event. Then every poll asks again
 * after the new number, for {@code --events} events. Reports the latency (p50/p99/max), the time until the
 * last poll had its answer, polls that did not get the event (lost), answers that came before the POST (the
 * poll was not waiting: they must be 0 for the figures to mean anything), and the server's CPU time from just
 * before the POST to the last answer, which includes the create.
 */
final class Polls {

    /** Time for the server to take in the polls once they are all sent, before the event. */
    private static final long SETTLE_MILLIS = 1_000;
    /** How long the polls of one event may take to answer before those left count as lost. */
    private static final long ANSWER_SECONDS = 20;

    private final BenchOptions options;
    private final java.net.http.HttpClient http;
    private final ServerProbe probe;

    Polls(BenchOptions options, java.net.http.HttpClient http, ServerProbe probe) {
        this.options = options;
        this.http = http;
        this.probe = probe;
    }

    /** The polls of one event: what each must get, and when they got it. */
    private static final class Round {
        final String prefix;
        final String title;
        final CountDownLatch sent;
        final CountDownLatch done;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger early = new AtomicInteger();
        final AtomicLong lastArrival = new AtomicLong();
        final List<Request> requests = new ArrayList<>();
        volatile long postedAt;

        Round(String boardId, long seq, String title, int polls) {
            this.prefix = "{\"boardId\":\"" + boardId + "\",\"seq\":" + seq + ",";
            this.title = "\"title\":\"" + title + "\"";
            this.sent = new CountDownLatch(polls);
            this.done = new CountDownLatch(polls);
        }

        /**
         * An answer arrived at {@code now}: right if it came after the POST and holds the task (its {@code seq} is
         * the event's, the one after the poll's cursor).
         */
        void arrived(long now, int status, String body, Histogram latency) {
            long posted = postedAt;
            if (posted == 0) {
                early.incrementAndGet();
            } else if (status == 200 && body.startsWith(prefix) && body.contains(title)
                    && !body.contains("\"timeout\"")) {
                latency.recordValue(Math.max(0, now - posted));
                lastArrival.accumulateAndGet(now, Math::max);
                answered.incrementAndGet();
            }
            done.countDown();
        }
    }

    /** Runs the scenario {@code --runs} times on the same connections, reporting each run's figures. */
    void run(Consumer<Map<String, Object>> report) throws Exception {
        JsonNode board = Bench.createBoard(http, options.url(), "bench polls");
        String boardId = board.path("id").asText();
        String list = board.path("lists").get(0).path("id").asText();
        long seq = board.path("seq").asLong();
        List<HttpClient> clients = clients();
        try {
            int task = 0;
            for (int run = 1; run <= options.runs(); run++) {
                Histogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
                Histogram lastAnswer = new ConcurrentHistogram(3_600_000_000_000L, 3);
                long answered = 0;
                long early = 0;
                int postFailures = 0;
                double cpuNanos = 0;
                for (int event = 0; event < options.events(); event++, task++, seq++) {
                    Round round = new Round(boardId, seq + 1, "bench-" + task, options.clients());
                    for (int i = 0; i < options.clients(); i++) {
                        poll(clients.get(i % clients.size()), boardId, seq, round, latency);
                    }
                    if (!round.sent.await(ANSWER_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("Not every poll was sent within " + ANSWER_SECONDS + " s");
                    }
                    Thread.sleep(SETTLE_MILLIS);
                    ServerProbe.Reading before = probe.read();
                    round.postedAt = System.nanoTime();
                    if (!post(list, "bench-" + task)) {
                        postFailures++;
                    }
                    round.done.await(ANSWER_SECONDS, TimeUnit.SECONDS);
                    ServerProbe.Reading after = probe.read();
                    round.requests.forEach(request -> request.abort(new IllegalStateException("no answer in time")));
                    cpuNanos += after.cpuNanos() - before.cpuNanos();
                    answered += round.answered.get();
                    early += round.early.get();
                    if (round.answered.get() > 0) {
                        lastAnswer.recordValue(round.lastArrival.get() - round.postedAt);
                    }
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("scenario", "polls");
                result.put("clients", options.clients());
                result.put("run", run);
                result.put("events", options.events());
                result.put("postFailures", postFailures);
                result.put("answered", answered);
                result.put("lost", (long) options.clients() * options.events() - answered - early);
                result.put("answeredBeforeEvent", early);
                Bench.putLatency(result, "latency", latency);
                Bench.putLatency(result, "lastAnswer", lastAnswer);
                result.put("serverCpuMsPerEvent", Bench.round(cpuNanos / 1e6 / options.events()));
                result.put("serverCpuUsPerAnswer", Bench.round(cpuNanos / 1e3 / Math.max(1, answered)));
                report.accept(result);
            }
        } finally {
            for (HttpClient client : clients) {
                client.stop();
            }
        }
    }

    /** One Jetty client per local address, each allowed as many connections as there are polls. */
    private List<HttpClient> clients() throws Exception {
        List<HttpClient> clients = new ArrayList<>();
        for (int a = 0; a < options.addresses(); a++) {
            HttpClient client = new HttpClient();
            client.setBindAddress(new InetSocketAddress("127.0.0." + (a + 1), 0));
            client.setMaxConnectionsPerDestination(options.clients());
            client.setMaxRequestsQueuedPerDestination(options.clients());
            client.setIdleTimeout(TimeUnit.MINUTES.toMillis(2));
            client.start();
            clients.add(client);
        }
        return clients;
    }

    private void poll(HttpClient client, String boardId, long after, Round round, Histogram latency) {
        Request request = client.newRequest(options.url().resolve("/boards/" + boardId + "/poll?after=" + after))
                .timeout(ANSWER_SECONDS * 3, TimeUnit.SECONDS)
                .onRequestSuccess(sent -> round.sent.countDown());
        round.requests.add(request);
        request.send(new BufferingResponseListener() {
            @Override
            public void onComplete(Result result) {
                long now = System.nanoTime();
                if (result.isSucceeded()) {
                    round.arrived(now, result.getResponse().getStatus(), getContentAsString(StandardCharsets.UTF_8),
                            latency);
                } else {
                    round.done.countDown();
                }
            }
        });
    }

    private boolean post(String listId, String title) throws Exception {
        String body = "{\"title\":\"" + title + "\",\"listId\":\"" + listId + "\"}";
        HttpRequest request = HttpRequest.newBuilder(options.url().resolve("/tasks"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 201;
    }
}
