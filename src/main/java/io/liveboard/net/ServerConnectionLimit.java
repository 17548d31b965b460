package io.liveboard.net;

import io.liveboard.logging.LogThrottle;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} TCP connections in all: at the limit the server stops accepting, so new connections wait
 * in the listen backlog instead of failing on "too many open files", and the process keeps files for its
 * database, its logs and the connections it has; it accepts again as soon as some close. Jetty's
 * {@link NetworkConnectionLimit} does the work; this says so in the log, once per time it happens (at most
 * once a minute), not once per connection.
 */
public final class ServerConnectionLimit extends NetworkConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ServerConnectionLimit.class);
    /** Files kept for everything but connections: at least this many, or a tenth of the limit. */
    private static final int MIN_RESERVE = 256;

    private final long openFileLimit;
    private final LogThrottle reached = new LogThrottle(Duration.ofMinutes(1));
    private boolean logged;

    private ServerConnectionLimit(int max, long openFileLimit, Server server) {
        super(max > 0 ? max : automatic(openFileLimit), server);
        this.openFileLimit = openFileLimit;
    }

    /** {@code max} connections, or (0) the process's open-file limit less a reserve. */
    public static ServerConnectionLimit of(int max, Server server) {
        return new ServerConnectionLimit(max, openFileLimit(), server);
    }

    /** The limit for a process that may open {@code files} files ({@code Integer.MAX_VALUE} when unknown). */
    private static int automatic(long files) {
        if (files <= 0 || files >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        long reserve = Math.max(MIN_RESERVE, files / 10);
        return (int) Math.max(1, files - reserve);
    }

    /** The process's open-file limit, or -1 where the platform does not tell. */
    private static long openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** What the start line says of it. */
    public String describe() {
        int max = getMaxNetworkConnectionCount();
        return max == Integer.MAX_VALUE ? "none" : max + (openFileLimit > 0 ? " (open files " + openFileLimit + ")" : "");
    }

    @Override
    protected void limit() {
        super.limit();
        if (reached.next() > 0) {
            logged = true;
            LOG.warn("Holding {} connections, the most allowed (--max-connections): not accepting more until some "
                    + "close; new ones wait", getMaxNetworkConnectionCount());
        }
    }

    @Override
    protected void unlimit() {
        super.unlimit();
        if (logged) {
            logged = false;
            LOG.info("Accepting connections again");
        }
    }
}
