package io.liveboard.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A TCP endpoint that, once upgraded (to WebSocket), also takes bytes that are already whole frames, shared
 * with other sockets ({@link #writeShared}), and writes them from the caller's thread when nothing is ahead of
 * them: one non-blocking gathering write, no copy, no lock held while writing, nothing kept once written. This
 * is what makes one event to N sockets cost little more than N socket writes. Jetty's own writes on the socket
 * (its ping, pong and close frames) join the same line, so that writes never interleave and go out in the
 * order they were handed over; what the socket cannot take at once waits in that line, in order, and is
 * written as the socket drains. Before the upgrade (plain HTTP) it is Jetty's endpoint, unchanged.
 */
public final class DirectWriteEndPoint extends SocketChannelEndPoint {

    /** Buffers in one write call: writes waiting in line are gathered up to this many. */
    private static final int MAX_GATHER = 256;

    /** One write waiting its turn: its buffers, their bytes, and Jetty's callback (null for shared frames). */
    private record Pending(ByteBuffer[] buffers, long bytes, Callback callback) {
    }

    private final Object lock = new Object();
    private final ArrayDeque<Pending> line = new ArrayDeque<>();
    /** Set once upgraded: from then on every write goes through the line. */
    private volatile boolean ordered;
    /** A thread is writing, or a write waits for the socket to drain: the others queue. Guarded by lock. */
    private boolean busy;
    /** The socket failed or closed: nothing more is taken. Guarded by lock. */
    private boolean failed;
    /** Bytes handed over and not yet written. Written under lock, read anywhere. */
    private volatile long queuedBytes;

    public DirectWriteEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
    }

    @Override
    public void upgrade(Connection newConnection) {
        ordered = true; // the upgrade comes once the HTTP answer is written: no write of the old connection is left
        super.upgrade(newConnection);
    }

    /**
     * Writes the frames (whole frames, read-only views of shared buffers this endpoint may consume) after
     * everything handed over before them. {@code open} is asked in line with the other writes, so that no frame
     * follows a close frame that Jetty has queued: false, or a failed socket, refuses the frames (returns false).
     */
    public boolean writeShared(ByteBuffer[] frames, long bytes, BooleanSupplier open) {
        Pending pending = new Pending(frames, bytes, null);
        Turn turn = admit(pending, open);
        if (turn == Turn.NOW) {
            drain(List.of(pending));
        }
        return turn != Turn.REFUSED;
    }

    /** Bytes handed over and not yet taken by the socket. */
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public void write(Callback callback, ByteBuffer... buffers) {
        if (!ordered) {
            super.write(callback, buffers);
            return;
        }
        Pending pending = new Pending(buffers, BufferUtil.remaining(buffers), callback);
        switch (admit(pending, () -> true)) {
            case NOW -> drain(List.of(pending));
            case REFUSED -> callback.failed(new ClosedChannelException());
            case QUEUED -> { }
        }
    }

    /** When a write goes: refused, in line behind others, or now, by the calling thread (the line is its own). */
    private enum Turn { REFUSED, QUEUED, NOW }

    private Turn admit(Pending pending, BooleanSupplier open) {
        synchronized (lock) {
            if (failed || !open.getAsBoolean()) {
                return Turn.REFUSED;
            }
            queuedBytes += pending.bytes();
            if (busy) {
                line.addLast(pending);
                return Turn.QUEUED;
            }
            busy = true;
            return Turn.NOW;
        }
    }

    /**
     * Writes the batch, then whatever queued meanwhile, until the line is empty or the socket is full; then
     * Jetty waits for the socket to drain and calls {@link Resume}. Only the thread that made the line busy runs
     * it.
     */
    private void drain(List<Pending> first) {
        List<Pending> batch = first;
        while (batch != null) {
            ByteBuffer[] buffers = buffersOf(batch);
            boolean all;
            try {
                all = flush(buffers);
            } catch (IOException e) {
                fail(batch, e);
                return;
            }
            if (!all) {
                super.write(new Resume(batch), buffers);
                return;
            }
            batch = next(batch);
        }
    }

    /**
     * The batch is written: tells Jetty's writes in it, and takes what queued meanwhile, up to
     * {@link #MAX_GATHER} buffers; null (and the line free) if nothing.
     */
    private List<Pending> next(List<Pending> written) {
        long bytes = 0;
        for (Pending pending : written) {
            bytes += pending.bytes();
            if (pending.callback() != null) {
                pending.callback().succeeded();
            }
        }
        List<Pending> dropped;
        synchronized (lock) {
            queuedBytes -= bytes;
            if (!failed) {
                if (line.isEmpty()) {
                    busy = false;
                    return null;
                }
                List<Pending> batch = new ArrayList<>();
                int buffers = 0;
                while (!line.isEmpty()
                        && (batch.isEmpty() || buffers + line.peekFirst().buffers().length <= MAX_GATHER)) {
                    Pending pending = line.pollFirst();
                    buffers += pending.buffers().length;
                    batch.add(pending);
                }
                return batch;
            }
            // closed while this thread was writing: what queued behind will never go
            dropped = new ArrayList<>(line);
            line.clear();
            busy = false;
        }
        failCallbacks(dropped, new ClosedChannelException());
        return null;
    }

    /** The socket failed: everything in line fails with it, and nothing more is taken. */
    private void fail(List<Pending> batch, Throwable cause) {
        List<Pending> dropped = new ArrayList<>(batch);
        synchronized (lock) {
            failed = true;
            dropped.addAll(line);
            line.clear();
            queuedBytes = 0;
        }
        failCallbacks(dropped, cause);
        close(cause);
    }

    private static void failCallbacks(List<Pending> dropped, Throwable cause) {
        for (Pending pending : dropped) {
            if (pending.callback() != null) {
                pending.callback().failed(cause);
            }
        }
    }

    @Override
    public void onClose(Throwable cause) {
        synchronized (lock) {
            failed = true; // what is in line is failed by the pending write's Resume, or was never started
        }
        super.onClose(cause);
    }

    private static ByteBuffer[] buffersOf(List<Pending> batch) {
        if (batch.size() == 1) {
            return batch.get(0).buffers();
        }
        int count = 0;
        for (Pending pending : batch) {
            count += pending.buffers().length;
        }
        ByteBuffer[] buffers = new ByteBuffer[count];
        int at = 0;
        for (Pending pending : batch) {
            System.arraycopy(pending.buffers(), 0, buffers, at, pending.buffers().length);
            at += pending.buffers().length;
        }
        return buffers;
    }

    /** Called by Jetty once the socket took the rest of a batch (or failed): goes on down the line. */
    private final class Resume implements Callback {
        private final List<Pending> batch;

        Resume(List<Pending> batch) {
            this.batch = batch;
        }

        @Override
        public void succeeded() {
            drain(next(batch));
        }

        @Override
        public void failed(Throwable cause) {
            fail(batch, cause);
        }

        @Override
        public InvocationType getInvocationType() {
            // what runs next: flushes (non-blocking) and the callbacks of Jetty's writes in this batch
            InvocationType type = InvocationType.NON_BLOCKING;
            for (Pending pending : batch) {
                if (pending.callback() != null) {
                    type = Invocable.combine(type, Invocable.getInvocationType(pending.callback()));
                }
            }
            return type;
        }
    }
}
