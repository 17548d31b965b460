package io.liveboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.liveboard.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Four writer threads creating tasks (spread over the lists) as fast as the server takes them, until stopped. */
public final class Writers implements AutoCloseable {

    private static final int THREADS = 4;
    private final Http http;
    private final List<String> lists;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final List<Future<?>> running = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger created = new AtomicInteger();

    public Writers(Http http, List<String> lists) {
        this.http = http;
        this.lists = lists;
    }

    public Writers(Http http, String list) {
        this(http, List.of(list));
    }

    public Writers start() {
        for (int w = 0; w < THREADS; w++) {
            String list = lists.get(w % lists.size());
            String writer = "writer " + w + " #";
            running.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    Http.Reply reply = http.post("/tasks", Json.write(Map.of("listId", list, "title", writer + i)));
                    assertEquals(201, reply.status(), reply.body());
                    created.incrementAndGet();
                }
                return null;
            }));
        }
        return this;
    }

    /** Waits until the writers have created n more tasks. */
    public void awaitMore(int n) {
        int target = created.get() + n;
        Await.until(n + " more tasks created", () -> created.get() >= target || stop.get());
    }

    /** Stops the writers (failing on a writer's failure) and returns how many tasks they created. */
    public int stop() throws Exception {
        stop.set(true);
        try {
            for (Future<?> writer : running) {
                writer.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return created.get();
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
    }
}
