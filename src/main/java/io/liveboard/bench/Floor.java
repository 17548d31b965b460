package io.liveboard.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * The {@code floor} scenario: what one small socket write costs on this machine, without any server — the
 * floor under the server's CPU per delivery, which sends each message with one write per client. In this
 * process, over 127.0.0.1: a {@link ServerSocketChannel} on port 0 and {@code --clients} {@link SocketChannel}s
 * connected to it, TCP_NODELAY on both ends, all non-blocking. {@code --readers} threads (default 1), each with
 * one {@link Selector} over its share of the accepted ends, read into a direct buffer and count the bytes. One
 * writer thread, per event, writes the same frame ({@code --bytes}, default 160: 0x81, its length, ASCII; a
 * direct read-only buffer, like the server's shared frame) to every client channel in turn, each with one
 * {@code write(frame.duplicate())}: open loop at {@code --rate} deliveries per second (so events come every
 * {@code clients / rate} s), or with {@code --rate 0} each event as soon as the previous one's writes returned.
 * Each run ({@code --runs}, on the same connections) does {@code --events} events, waits until the readers
 * have read every byte (or nothing more came for 5 s), and reports the writer thread's, the readers' and the
 * whole process's CPU time per write (the last includes the readers, this thread's waiting and the JVM's own
 * threads), the bytes written and read ({@code lost}: written but never read, must be 0), and the writes that
 * the kernel took only in part ({@code shortWrites}: the rest is written at once, in more calls; they must be 0
 * for the figure to be one write's).
 */
final class Floor {

    /**
     * The {@code floor} scenario's own settings.
     *
     * @param readers the reader threads the accepted ends are spread over ({@code --readers}, default 1)
     * @param bytes   the size of the frame each write carries ({@code --bytes}, default 160; 600 is about four
     *                events' frames in one write)
     */
    record Settings(int readers, int bytes) {

        static final Settings DEFAULTS = new Settings(1, 160);

        Settings {
            if (readers <= 0 || bytes < 2) {
                throw new IllegalArgumentException("--readers must be positive and --bytes at least 2");
            }
        }
    }

    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int READ_BUFFER = 64 * 1024;

    private final BenchOptions options;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean process =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    Floor(BenchOptions options) {
        this.options = options;
    }

    /** Connects, measures {@code --runs} times on the same connections reporting each run's figures, closes. */
    void run(Consumer<Map<String, Object>> report) throws Exception {
        Settings settings = options.floor();
        List<SocketChannel> channels = new ArrayList<>();
        List<Reader> readers = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options.clients());
            for (int r = 0; r < settings.readers(); r++) {
                readers.add(new Reader(r));
            }
            for (int i = 0; i < options.clients(); i++) {
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                channels.add(client);
                SocketChannel accepted = listener.accept();
                channels.add(accepted);
                for (SocketChannel end : List.of(client, accepted)) {
                    end.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    end.configureBlocking(false);
                }
                readers.get(i % readers.size()).add(accepted);
            }
            readers.forEach(Reader::start);
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < channels.size(); i += 2) {
                clients.add(channels.get(i));
            }
            ByteBuffer frame = frame(settings.bytes());
            for (int run = 1; run <= options.runs(); run++) {
                report.accept(measure(run, clients, readers, frame));
            }
        } finally {
            for (Reader reader : readers) {
                reader.stop();
            }
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
    }

    private Map<String, Object> measure(int run, List<SocketChannel> clients, List<Reader> readers, ByteBuffer frame)
            throws Exception {
        int events = options.events();
        long readBefore = Reader.sum(readers, Reader::bytes);
        long readsBefore = Reader.sum(readers, Reader::reads);
        long wakeupsBefore = Reader.sum(readers, Reader::wakeups);
        long readerCpuBefore = Reader.sum(readers, reader -> threads.getThreadCpuTime(reader.thread.getId()));
        long processCpuBefore = process.getProcessCpuTime();
        long start = System.nanoTime();
        FutureTask<Writer> written = new FutureTask<>(() -> new Writer(clients, frame).write(events, options.rate()));
        new Thread(written, "floor-writer").start();
        Writer writer = written.get();
        long expected = readBefore + writer.bytes;
        long end = drain(readers, expected);
        long readerCpu = Reader.sum(readers, reader -> threads.getThreadCpuTime(reader.thread.getId()))
                - readerCpuBefore;
        long processCpu = process.getProcessCpuTime() - processCpuBefore;
        long read = Reader.sum(readers, Reader::bytes) - readBefore;
        double seconds = (end - start) / 1e9;
        double writes = (double) clients.size() * events;

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", "floor");
        result.put("run", run);
        result.put("clients", clients.size());
        result.put("readers", readers.size());
        result.put("bytes", frame.remaining());
        result.put("rate", options.rate());
        result.put("events", events);
        result.put("writes", (long) writes);
        result.put("shortWrites", writer.shortWrites);
        result.put("writeCalls", writer.calls);
        result.put("seconds", Bench.round(seconds));
        result.put("writesPerSec", Math.round(writes / seconds));
        Bench.putLatency(result, "eventWrite", writer.eventNanos);
        result.put("writerCpuUsPerWrite", Bench.round(writer.cpuNanos / 1e3 / writes));
        result.put("readerCpuUsPerWrite", Bench.round(readerCpu / 1e3 / writes));
        result.put("processCpuUsPerWrite", Bench.round(processCpu / 1e3 / writes));
        long wakeups = Reader.sum(readers, Reader::wakeups) - wakeupsBefore;
        result.put("readerWakeupsPerWrite", Bench.round(wakeups / writes));
        result.put("readsPerWrite", Bench.round((Reader.sum(readers, Reader::reads) - readsBefore) / writes));
        result.put("bytesWritten", writer.bytes);
        result.put("bytesRead", read);
        result.put("lost", writer.bytes - read);
        return result;
    }

    /** Waits until the readers have read {@code expected} bytes in all, or nothing came for 5 s; returns when. */
    private static long drain(List<Reader> readers, long expected) throws InterruptedException {
        long last = -1;
        long stalledSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            long read = Reader.sum(readers, Reader::bytes);
            if (read >= expected) {
                return now;
            }
            if (read != last) {
                last = read;
                stalledSince = now;
            } else if (now - stalledSince > STALL_NANOS) {
                return stalledSince;
            }
            Thread.sleep(1);
        }
    }

    /** A text frame of {@code size} bytes in all: 0x81, the payload's length (7 or 16 bits, or 64), ASCII. */
    private static ByteBuffer frame(int size) {
        int header = size - 2 <= 125 ? 2 : size - 4 <= 65_535 ? 4 : 10;
        int payload = size - header;
        ByteBuffer frame = ByteBuffer.allocateDirect(size);
        frame.put((byte) 0x81);
        if (header == 2) {
            frame.put((byte) payload);
        } else if (header == 4) {
            frame.put((byte) 126).putShort((short) payload);
        } else {
            frame.put((byte) 127).putLong(payload);
        }
        for (int i = 0; i < payload; i++) {
            frame.put((byte) ('a' + i % 26));
        }
        return frame.flip().asReadOnlyBuffer();
    }

    /** The writer thread's work and what it took: one instance per run, used by that thread only. */
    private final class Writer {

        private final List<SocketChannel> clients;
        private final ByteBuffer frame;
        private final Histogram eventNanos = new Histogram(3_600_000_000_000L, 3);
        private long cpuNanos;
        private long bytes;
        private long calls;
        private long shortWrites;

        Writer(List<SocketChannel> clients, ByteBuffer frame) {
            this.clients = clients;
            this.frame = frame;
        }

        /**
         * Writes {@code events} events to every client, at {@code rate} deliveries per second (0: each as soon as
         * the previous one's writes returned); a write the kernel takes only in part is finished at once.
         */
        Writer write(int events, int rate) throws IOException {
            long interval = rate > 0 ? (long) (1e9 * clients.size() / rate) : 0;
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int event = 0; event < events; event++) {
                long wait;
                while ((wait = start + event * interval - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long eventStart = System.nanoTime();
                for (SocketChannel client : clients) {
                    ByteBuffer buffer = frame.duplicate();
                    bytes += client.write(buffer);
                    calls++;
                    if (buffer.hasRemaining()) {
                        shortWrites++;
                        do {
                            Thread.yield();
                            bytes += client.write(buffer);
                            calls++;
                        } while (buffer.hasRemaining());
                    }
                }
                eventNanos.recordValue(System.nanoTime() - eventStart);
            }
            cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            return this;
        }
    }

    /** A reader thread: one selector over its share of the accepted ends, counting what it reads. */
    private static final class Reader implements Runnable {

        private final Selector selector;
        private final Thread thread;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong reads = new AtomicLong();
        private final AtomicLong wakeups = new AtomicLong();
        private volatile boolean running = true;

        Reader(int number) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, "floor-reader-" + number);
            thread.setDaemon(true);
        }

        /** Registers an end to read from; only before {@link #start()}. */
        void add(SocketChannel channel) throws IOException {
            channel.register(selector, SelectionKey.OP_READ);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            long[] counts = new long[2];
            try {
                while (running) {
                    selector.select(key -> read(key, counts));
                    bytes.lazySet(counts[0]);
                    reads.lazySet(counts[1]);
                    wakeups.lazySet(wakeups.get() + 1);
                }
            } catch (IOException e) {
                throw new IllegalStateException("floor reader failed", e);
            }
        }

        /** Reads until a read comes back short of a full buffer: the socket was empty then. */
        private void read(SelectionKey key, long[] counts) {
            SocketChannel channel = (SocketChannel) key.channel();
            try {
                int read;
                do {
                    buffer.clear();
                    read = channel.read(buffer);
                    counts[1]++;
                    if (read > 0) {
                        counts[0] += read;
                    }
                } while (read == buffer.capacity());
                if (read < 0) {
                    key.cancel();
                }
            } catch (IOException e) {
                key.cancel();
            }
        }

        long bytes() {
            return bytes.get();
        }

        long reads() {
            return reads.get();
        }

        long wakeups() {
            return wakeups.get();
        }

        void stop() throws InterruptedException, IOException {
            running = false;
            selector.wakeup();
            thread.join(5_000);
            selector.close();
        }

        static long sum(List<Reader> readers, ToLongFunction<Reader> figure) {
            long sum = 0;
            for (Reader reader : readers) {
                sum += figure.applyAsLong(reader);
            }
            return sum;
        }
    }
}
