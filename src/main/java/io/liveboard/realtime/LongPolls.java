package io.liveboard.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Long-poll requests waiting for the next change of a board. Thread-safe. A waiter is registered before
 * its request reads the board, then told the board's event number {@code seq} as of that read
 * ({@link Waiter#since}); it completes with the {@link Wake} of the first fan-out round that brings an event
 * after that number (if rounds came while the request read, with the last of them, at once), or with
 * {@link java.util.concurrent.TimeoutException} after its timeout. Events delivered late by the asynchronous
 * fan-out, but committed before the read, do not wake it. Either way it is forgotten, and a caller may cancel
 * it to give up earlier.
 *
 * <p>The fan-out thread only picks out the waiters a round wakes: they are completed on the executor, up to
 * {@value #PER_TASK} in one task, so that what their completion runs (answering the request) runs there, many
 * answers to a task, never on the fan-out thread.
 */
public final class LongPolls {

    /** Woken waiters completed by one task of the executor. */
    static final int PER_TASK = 64;

    /** Told, when a waiter learns the board's number it waits to pass, that the board has a waiting poll. */
    @FunctionalInterface
    public interface Watcher {
        void waiting(String boardId, long seq);
    }

    /** One waiting request. */
    public static final class Waiter {
        private final CompletableFuture<Wake> done = new CompletableFuture<>();
        private final String boardId;
        private final Watcher watcher;
        /** The number it waits to pass; none until {@link #since} is told. */
        private long since = Long.MAX_VALUE;
        /** The last round seen before {@link #since} was told. */
        private Wake seen;
        private boolean woken;

        private Waiter(String boardId, Watcher watcher) {
            this.boardId = boardId;
            this.watcher = watcher;
        }

        /**
         * Completes on an event after {@code seq}: at once, on this thread, if a round seen since the waiter was
         * registered brought one (with the last such round).
         */
        public void since(long seq) {
            watcher.waiting(boardId, seq);
            Wake wake;
            synchronized (this) {
                since = seq;
                wake = seen;
                seen = null;
                if (wake == null || wake.seq() <= seq) {
                    return;
                }
                woken = true;
            }
            done.complete(wake);
        }

        /** Whether the round wakes this waiter; the caller then completes it. A round before {@link #since} is kept. */
        synchronized boolean wokenBy(Wake wake) {
            if (woken) {
                return false;
            }
            if (since == Long.MAX_VALUE) {
                seen = wake;
                return false;
            }
            woken = wake.seq() > since;
            return woken;
        }

        /** Completes with the round that woke the waiter; exceptionally on its timeout, or when cancelled. */
        public CompletableFuture<Wake> done() {
            return done;
        }
    }

    private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final Executor executor;
    private final Watcher watcher;

    /** Waiters woken by an event are completed on {@code executor}. */
    public LongPolls(Executor executor) {
        this(executor, (boardId, seq) -> { });
    }

    /** Waiters woken by an event are completed on {@code executor}; {@code watcher} hears of each waiting poll. */
    public LongPolls(Executor executor, Watcher watcher) {
        this.executor = executor;
        this.watcher = watcher;
    }

    public Waiter await(String boardId, Duration timeout) {
        Waiter waiter = new Waiter(boardId, watcher);
        waiting.compute(boardId, (id, set) -> {
            Set<Waiter> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiters.add(waiter);
            return waiters;
        });
        waiter.done.whenComplete((ok, failure) -> waiting.computeIfPresent(boardId, (id, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        }));
        waiter.done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return waiter;
    }

    /** Tells the board's waiters about its events of one fan-out round (in {@code seq} order, at least one). */
    public void wake(String boardId, List<OutboundMessage> events) {
        Set<Waiter> waiters = waiting.get(boardId);
        if (waiters == null) {
            return;
        }
        Wake wake = new Wake(events);
        List<Waiter> woken = new ArrayList<>();
        for (Waiter waiter : waiters) {
            if (waiter.wokenBy(wake)) {
                woken.add(waiter);
                if (woken.size() == PER_TASK) {
                    complete(woken, wake);
                    woken = new ArrayList<>();
                }
            }
        }
        if (!woken.isEmpty()) {
            complete(woken, wake);
        }
    }

    private void complete(List<Waiter> woken, Wake wake) {
        executor.execute(() -> woken.forEach(waiter -> waiter.done.complete(wake)));
    }

    public int waiting(String boardId) {
        Set<Waiter> waiters = waiting.get(boardId);
        return waiters == null ? 0 : waiters.size();
    }
}
