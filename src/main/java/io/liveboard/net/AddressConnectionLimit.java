package io.liveboard.net;

import io.liveboard.logging.LogThrottle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.IO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} TCP connections per remote address, whatever they carry (plain HTTP, long polls, SSE,
 * WebSockets): a connection beyond that is closed as it is accepted, before anything is read from it, so that
 * one address cannot take the open files every other client needs. 0 counts nothing and allows everything.
 * Refusals are counted ({@code onRefused}) and logged at most once every 10 s. Thread-safe;
 * Jetty calls it from its acceptor and selector threads.
 */
public final class AddressConnectionLimit implements SelectorManager.AcceptListener {

    private static final Logger LOG = LoggerFactory.getLogger(AddressConnectionLimit.class);

    private final int max;
    private final Runnable onRefused;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    /** The address each counted channel was counted under (a closed channel no longer tells its address). */
    private final ConcurrentHashMap<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();
    private final LogThrottle refusals = new LogThrottle(Duration.ofSeconds(10));

    public AddressConnectionLimit(int max, Runnable onRefused) {
        this.max = max;
        this.onRefused = onRefused;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        if (max == 0 || !(channel instanceof SocketChannel socket)) {
            return;
        }
        InetAddress address = remote(socket);
        if (address == null) {
            return; // already gone
        }
        boolean[] taken = new boolean[1];
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            taken[0] = count < max;
            return taken[0] ? count + 1 : n;
        });
        if (taken[0]) {
            counted.put(channel, address);
        } else {
            IO.close(channel); // Jetty then reports the accept as failed, which this does not count
            refused(address);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        release(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        release(channel);
    }

    private void release(SelectableChannel channel) {
        InetAddress address = counted.remove(channel);
        if (address != null) {
            open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void refused(InetAddress address) {
        onRefused.run();
        long refused = refusals.next();
        if (refused > 0) {
            LOG.warn("Refused {} connection(s) from addresses that hold {} already, the latest from {} "
                    + "(--max-connections-per-ip; behind a proxy or a NAT, raise it, or 0 for no limit)", refused, max,
                    address.getHostAddress());
        }
    }

    private static InetAddress remote(SocketChannel socket) {
        try {
            return socket.getRemoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
