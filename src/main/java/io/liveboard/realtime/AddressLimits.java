package io.liveboard.realtime;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many live connections (WebSocket and SSE together) each remote address holds, against one client
 * opening thousands. A limit of 0 counts nothing and allows everything. Thread-safe.
 */
public final class AddressLimits {

    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    public AddressLimits(int max) {
        this.max = max;
    }

    /** Takes a place for a new connection from the address; false (nothing taken) when it has the most. */
    public boolean acquire(String address) {
        if (max == 0) {
            return true;
        }
        boolean[] taken = new boolean[1];
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            taken[0] = count < max;
            return taken[0] ? count + 1 : count == 0 ? null : count;
        });
        return taken[0];
    }

    /** Gives back the place of a connection that {@link #acquire acquired} one and has ended. */
    public void release(String address) {
        if (max == 0) {
            return;
        }
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }
}
