package io.liveboard.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Binds the attacker's sockets to one local address, naming each one's port: the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}) in turn, from a random start so that two attacker
 * processes seldom want the same port. Binding to port 0 instead makes Linux search the range for a free
 * port on every bind, which with tens of thousands of sockets held costs more than the connect itself.
 */
final class LocalPorts {

    /** Ports tried for one socket before giving up (every port of the range in use, or nearly). */
    private static final int TRIES = 1000;

    private final InetAddress address;
    private final int first;
    private final int count;
    private final int avoid;
    private int next;

    /** Ports of {@code address}, never {@code avoid} (the server's port, should it be in the range). */
    LocalPorts(InetAddress address, int avoid) {
        this.address = address;
        this.avoid = avoid;
        int[] range = ephemeralRange();
        this.first = range[0];
        this.count = range[1] - range[0] + 1;
        this.next = ThreadLocalRandom.current().nextInt(count);
    }

    /** Binds {@code channel} to the next free port; throws the last {@link BindException} if none was free. */
    void bind(SocketChannel channel) throws IOException {
        BindException last = null;
        for (int tries = 0; tries < TRIES; tries++) {
            int port = first + next;
            next = (next + 1) % count;
            if (port == avoid) {
                continue;
            }
            try {
                channel.bind(new InetSocketAddress(address, port));
                return;
            } catch (BindException e) {
                last = e;
            }
        }
        throw last != null ? last : new BindException("no local port free");
    }

    private static int[] ephemeralRange() {
        try {
            String[] bounds = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }
}
