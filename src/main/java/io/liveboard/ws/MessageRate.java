package io.liveboard.ws;

/**
 * A token bucket of the messages one socket may send: {@code perSecond} a second on average, bursts up to
 * as many. Tells apart a client over the limit for a moment from one that keeps on regardless: refused
 * messages pile up in a second bucket that empties at a tenth of the rate, and a client that piles up more than
 * twice its rate is cut off. So a steady flood (whatever gets through now and then) is caught within a second or
 * so, a client at twice its rate within a few seconds, and one that stays under its rate never. Used by the
 * socket's reading thread only, so not synchronized.
 */
final class MessageRate {

    /** What to do with one message. */
    enum Verdict {
        /** Handle it. */
        PASS,
        /** Drop it and say so. */
        REFUSE,
        /** Drop it and close the socket: it keeps going regardless (said once). */
        CUT_OFF,
        /** Drop it silently: the socket is being closed. */
        IGNORE
    }

    private final double perSecond;
    private double tokens;
    private double refused;
    private boolean cutOff;
    private long last = System.nanoTime();

    MessageRate(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    /** What to do with a message arriving now. */
    Verdict next() {
        if (cutOff) {
            return Verdict.IGNORE;
        }
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        tokens = Math.min(perSecond, tokens + seconds * perSecond);
        refused = Math.max(0, refused - seconds * perSecond / 10);
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.PASS;
        }
        refused++;
        if (refused > 2 * perSecond) {
            cutOff = true;
            return Verdict.CUT_OFF;
        }
        return Verdict.REFUSE;
    }
}
