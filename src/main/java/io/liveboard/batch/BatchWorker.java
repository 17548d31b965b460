package io.liveboard.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that takes whatever has been queued, up to {@code maxBatch} items at a time, in queue order,
 * and hands each batch to a handler: work that arrives while a batch is handled goes together in the
 * next one. {@link #add} never blocks and may be called from any thread. A handler that throws is logged
 * and the worker goes on.
 */
public final class BatchWorker<T> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWorker.class);

    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final Consumer<List<T>> handler;
    private final Thread thread;
    private volatile boolean running = true;

    public BatchWorker(String name, int maxBatch, Consumer<List<T>> handler) {
        this.maxBatch = maxBatch;
        this.handler = handler;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void add(T item) {
        queue.add(item);
    }

    private void run() {
        List<T> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, maxBatch - 1);
                handler.accept(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("{} failed on a batch of {}", thread.getName(), batch.size(), e);
            } finally {
                batch.clear();
            }
        }
    }

    /** Stops the thread (waiting up to 5 s for the batch in hand); returns the items never handled. */
    public List<T> stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<T> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }
}
