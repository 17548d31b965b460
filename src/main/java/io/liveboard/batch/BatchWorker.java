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
 * next one. {@link #add} never blocks and may be called from any thread.
 *
 * <p>A handler that throws an exception is logged and the worker goes on. One that throws an {@link Error}
 * (out of memory, a stack overflow, a broken class) kills the worker, visibly: it logs at ERROR, hands the
 * batch in hand and everything queued to {@code onDeath} (so that whoever waits on them can be told), refuses
 * later work, and {@link #alive()} turns false. Nothing is ever left waiting on a dead worker.
 */
public final class BatchWorker<T> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWorker.class);

    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final Consumer<List<T>> handler;
    private final Consumer<List<T>> onDeath;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean dead;

    /** A worker whose queued items need no word when it dies. */
    public BatchWorker(String name, int maxBatch, Consumer<List<T>> handler) {
        this(name, maxBatch, handler, items -> { });
    }

    public BatchWorker(String name, int maxBatch, Consumer<List<T>> handler, Consumer<List<T>> onDeath) {
        this.maxBatch = maxBatch;
        this.handler = handler;
        this.onDeath = onDeath;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues the item.
     *
     * @throws IllegalStateException if the worker died (the item is not queued)
     */
    public void add(T item) {
        queue.add(item);
        if (dead) {
            // died while this was added: take it back if the death did not already hand it on
            if (queue.remove(item)) {
                throw new IllegalStateException(thread.getName() + " has stopped after a fatal error");
            }
        }
    }

    /** False once a handler threw an {@link Error}: the worker handles nothing more. */
    public boolean alive() {
        return !dead;
    }

    public String name() {
        return thread.getName();
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
            } catch (Error e) {
                die(batch, e);
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void die(List<T> batch, Error cause) {
        dead = true;
        LOG.error("{} stopped after a fatal error: it handles nothing more (restart the server)", thread.getName(),
                cause);
        List<T> left = new ArrayList<>(batch);
        queue.drainTo(left);
        try {
            onDeath.accept(left);
        } catch (RuntimeException | Error e) {
            LOG.error("{} could not hand on its {} unhandled items", thread.getName(), left.size(), e);
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
