package io.liveboard.ws;

/**
 * A token bucket of the messages one socket may send: {@code perSecond} a second on average, bursts up to
 * as many. Tells apart a client over the limit for a moment from one that keeps on regardless. Used by the
 * socket's reading thread only, so not synchronized.
 */
final class MessageRate {

    private final double perSecond;
    private double tokens;
    private long last = System.nanoTime();
    private int refusedInARow;

    MessageRate(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    /** Whether one more message may go through now. */
    boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            refusedInARow = 0;
            return true;
        }
        refusedInARow++;
        return false;
    }

    /** A client that had more than twice its rate refused without a message going through in between. */
    boolean abusive() {
        return refusedInARow > 2 * perSecond;
    }
}
