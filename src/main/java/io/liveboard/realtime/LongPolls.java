package io.liveboard.realtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-poll requests waiting for the next change of a board. Thread-safe. A waiter is registered before
 * its request reads the board, then told the board's event number {@code seq} as of that read
 * ({@link Waiter#since}); it completes normally on the first event after that number (one seen in between
 * counts too), or with {@link java.util.concurrent.TimeoutException} after its timeout. Events delivered
 * late by the asynchronous fan-out, but committed before the read, do not wake it. Either way it is
 * forgotten, and a caller may cancel it to give up earlier.
 */
public final class LongPolls {

    /** One waiting request. */
    public static final class Waiter {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private long since = Long.MAX_VALUE;
        private long latest;

        /** Completes normally on an event after {@code seq} (at once if one has already been seen). */
        public synchronized void since(long seq) {
            since = seq;
            if (latest > since) {
                done.complete(null);
            }
        }

        synchronized void event(long seq) {
            latest = Math.max(latest, seq);
            if (latest > since) {
                done.complete(null);
            }
        }

        public CompletableFuture<Void> done() {
            return done;
        }
    }

    private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    public Waiter await(String boardId, Duration timeout) {
        Waiter waiter = new Waiter();
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

    /** Tells the board's waiters that event {@code seq} happened. */
    public void wake(String boardId, long seq) {
        Set<Waiter> waiters = waiting.get(boardId);
        if (waiters != null) {
            waiters.forEach(waiter -> waiter.event(seq));
        }
    }

    public int waiting(String boardId) {
        Set<Waiter> waiters = waiting.get(boardId);
        return waiters == null ? 0 : waiters.size();
    }
}
