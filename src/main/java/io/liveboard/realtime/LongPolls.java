package io.liveboard.realtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-poll requests waiting for the next change of a board. Thread-safe. A waiter completes normally
 * when the board changes, or with {@link java.util.concurrent.TimeoutException} after its timeout; either
 * way it is forgotten, and a caller may cancel it to give up earlier.
 */
public final class LongPolls {

    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

    public CompletableFuture<Void> await(String boardId, Duration timeout) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        waiting.compute(boardId, (id, set) -> {
            Set<CompletableFuture<Void>> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiters.add(waiter);
            return waiters;
        });
        waiter.whenComplete((ok, failure) -> waiting.computeIfPresent(boardId, (id, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        }));
        return waiter.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes every waiter of the board. */
    public void wake(String boardId) {
        Set<CompletableFuture<Void>> waiters = waiting.get(boardId);
        if (waiters != null) {
            waiters.forEach(waiter -> waiter.complete(null));
        }
    }

    public int waiting(String boardId) {
        Set<CompletableFuture<Void>> waiters = waiting.get(boardId);
        return waiters == null ? 0 : waiters.size();
    }
}
