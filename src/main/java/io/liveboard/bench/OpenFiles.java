package io.liveboard.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Open-file counts (every socket is one): this process's own, with its limit ({@code ulimit -n}), and
 * another process's on the same machine, read from {@code /proc/<pid>/fd}.
 */
final class OpenFiles {

    private OpenFiles() {
    }

    /** This process's open-file limit, or {@link Long#MAX_VALUE} where the JVM cannot tell. */
    static long ownLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
    }

    /** Files this process holds open now, or 0 where the JVM cannot tell. */
    static long ownOpen() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getOpenFileDescriptorCount() : 0;
    }

    /** Files process {@code pid} holds open now, or -1 when {@code /proc/<pid>/fd} cannot be read. */
    static long of(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
