package io.liveboard.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.util.Callback;

/**
 * The writes handed to one socket, in order, and whose turn it is to write them: one thread at a time takes
 * a batch out of the line and writes it while the others queue behind. Thread-safe; no I/O of its own.
 *
 * <p>{@link #waitingBytes()} counts what waits in line, not the batch being written: bytes taken out for a
 * write may already be with the peer (the kernel took them, and the writer has not yet come back for the
 * next batch), so a client that reads everything and answers at once is never judged on them. A batch is at
 * most {@link #MAX_GATHER} buffers and, unless one write alone is larger, {@link #MAX_BATCH_BYTES}.
 */
final class WriteLine {

    /** Buffers in one batch: writes waiting in line are gathered up to this many. */
    static final int MAX_GATHER = 256;
    /** Bytes in one batch gathered from the line (a single larger write still goes whole). */
    static final long MAX_BATCH_BYTES = 256 * 1024;

    /** One write: its buffers, their bytes, and Jetty's callback (null for shared frames). */
    record Write(ByteBuffer[] buffers, long bytes, Callback callback) {
    }

    /** When a write goes: refused, in line behind others, or now, by the calling thread (the line is its own). */
    enum Turn { REFUSED, QUEUED, NOW }

    /** What follows a written batch: the next one to write (empty when the line is free), and what was dropped. */
    record Next(List<Write> batch, List<Write> dropped) {
    }

    private static final Next FREE = new Next(List.of(), List.of());

    private final ArrayDeque<Write> line = new ArrayDeque<>();
    /** A thread is writing, or a write waits for the socket to drain: the others queue. Guarded by this. */
    private boolean busy;
    /** The socket failed or closed: nothing more is taken. Guarded by this. */
    private boolean failed;
    /** Bytes in line, not yet taken out for a write. Written under the lock, read anywhere. */
    private volatile long waitingBytes;

    /**
     * Admits the write unless the line has failed or {@code open} (asked under the lock, in line with the
     * other writes) says no. NOW makes the caller the writer of {@code write}, until {@link #next} frees the line.
     */
    synchronized Turn admit(Write write, BooleanSupplier open) {
        if (failed || !open.getAsBoolean()) {
            return Turn.REFUSED;
        }
        if (busy) {
            line.addLast(write);
            waitingBytes += write.bytes();
            return Turn.QUEUED;
        }
        busy = true;
        return Turn.NOW;
    }

    /**
     * Called by the writer once its batch is written: the next batch, taken out of the line; or, when nothing
     * waits, an empty batch and the line free. If the line failed meanwhile, what waited is dropped.
     */
    synchronized Next next() {
        if (failed) {
            List<Write> dropped = new ArrayList<>(line);
            line.clear();
            waitingBytes = 0;
            busy = false;
            return new Next(List.of(), dropped);
        }
        if (line.isEmpty()) {
            busy = false;
            return FREE;
        }
        List<Write> batch = new ArrayList<>();
        int buffers = 0;
        long bytes = 0;
        while (!line.isEmpty() && (batch.isEmpty() || (buffers + line.peekFirst().buffers().length <= MAX_GATHER
                && bytes + line.peekFirst().bytes() <= MAX_BATCH_BYTES))) {
            Write write = line.pollFirst();
            buffers += write.buffers().length;
            bytes += write.bytes();
            batch.add(write);
        }
        waitingBytes -= bytes;
        return new Next(batch, List.of());
    }

    /** The socket failed: nothing more is taken; returns what waited, to be failed by the caller. */
    synchronized List<Write> fail() {
        failed = true;
        List<Write> dropped = new ArrayList<>(line);
        line.clear();
        waitingBytes = 0;
        return dropped;
    }

    /** The socket closed: nothing more is taken (what waits is dropped by the writer's {@link #next}). */
    synchronized void close() {
        failed = true;
    }

    /** Bytes waiting in line behind the batch being written. */
    long waitingBytes() {
        return waitingBytes;
    }
}
