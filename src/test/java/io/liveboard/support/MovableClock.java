package io.liveboard.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system's UTC clock, set ahead by as much as a test moves it on: time passing without a sleep. Thread-safe. */
public final class MovableClock extends Clock {

    private volatile Duration ahead = Duration.ZERO;

    /** Moves the clock on by {@code duration} (from now on, every reading is that much later). */
    public void advance(Duration duration) {
        synchronized (this) {
            ahead = ahead.plus(duration);
        }
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(ahead);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a UTC clock");
    }
}
