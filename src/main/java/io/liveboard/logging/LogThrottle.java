package io.liveboard.logging;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one log line through per interval and counts the occasions held back in between, for what a client can
 * cause over and over (a refused connection, a request that meets a broken store): the log says it, with how
 * often, instead of flooding. Thread-safe.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final AtomicLong last;
    private final AtomicLong held = new AtomicLong();

    public LogThrottle(java.time.Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.last = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /**
     * Counts one occasion; returns how many occasions the line now due stands for (this one and those held back
     * since the last), or 0 when the line is held back.
     */
    public long next() {
        long occasions = held.incrementAndGet();
        long then = last.get();
        long now = System.nanoTime();
        if (now - then >= intervalNanos && last.compareAndSet(then, now)) {
            held.addAndGet(-occasions);
            return occasions;
        }
        return 0;
    }
}
