package io.liveboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** POSTs tasks {@code bench-0…} either closed loop (n in flight) or open loop (a fixed rate). */
final class TaskPoster {

    private final HttpClient http;
    private final URI tasks;
    private final Histogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    private final AtomicInteger failures = new AtomicInteger();

    TaskPoster(HttpClient http, URI base) {
        this.http = http;
        this.tasks = base.resolve("/tasks");
    }

    /**
     * Posts tasks 0..count-1, taking a permit of {@code window} before each; {@code listOf(i)} picks the
     * list, {@code onSend(i)} runs just before each send. With {@code releaseOnAnswer} the permit comes
     * back with the answer; otherwise whoever sees the task delivered gives it back.
     */
    void closedLoop(int count, Semaphore window, boolean releaseOnAnswer, IntFunction<String> listOf,
            SendObserver onSend) throws Exception {
        List<CompletableFuture<?>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("No permit within 30 s: task " + i + " never completed");
            }
            CompletableFuture<HttpResponse<Void>> posted = post(i, listOf.apply(i), onSend);
            if (releaseOnAnswer) {
                posted = posted.whenComplete((r, e) -> window.release());
            }
            all.add(posted);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    }

    /** Posts tasks 0..count-1 at {@code perSecond}, whatever the answers' pace. */
    void openLoop(int count, double perSecond, IntFunction<String> listOf, SendObserver onSend) throws Exception {
        long interval = (long) (1_000_000_000L / perSecond);
        long start = System.nanoTime();
        List<CompletableFuture<?>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(wait, 1_000_000));
            }
            all.add(post(i, listOf.apply(i), onSend));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    }

    private CompletableFuture<HttpResponse<Void>> post(int i, String listId, SendObserver onSend) {
        HttpRequest request = HttpRequest.newBuilder(tasks).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench-" + i + "\",\"listId\":\"" + listId + "\"}"))
                .build();
        long start = System.nanoTime();
        onSend.sent(i, start);
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() != 201) {
                failures.incrementAndGet();
            } else {
                latency.recordValue(System.nanoTime() - start);
            }
        });
    }

    /** Called with the task number and {@link System#nanoTime()} right before it is sent. */
    @FunctionalInterface
    interface SendObserver {
        void sent(int task, long nanos);
    }

    Histogram latency() {
        return latency;
    }

    int failures() {
        return failures.get();
    }
}
