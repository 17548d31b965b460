package io.liveboard.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
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

    private final WriteLine line = new WriteLine();
    /** Set once upgraded: from then on every write goes through the line. */
    private volatile boolean ordered;

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
        WriteLine.Write write = new WriteLine.Write(frames, bytes, null);
        WriteLine.Turn turn = line.admit(write, open);
        if (turn == WriteLine.Turn.NOW) {
            drain(List.of(write));
        }
        return turn != WriteLine.Turn.REFUSED;
    }

    /**
     * Bytes handed over and waiting behind the write under way (see {@link WriteLine#waitingBytes}): what
     * the peer has not let the socket take.
     */
    public long queuedBytes() {
        return line.waitingBytes();
    }

    @Override
    public void write(Callback callback, ByteBuffer... buffers) {
        if (!ordered) {
            super.write(callback, buffers);
            return;
        }
        WriteLine.Write write = new WriteLine.Write(buffers, BufferUtil.remaining(buffers), callback);
        switch (line.admit(write, () -> true)) {
            case NOW -> drain(List.of(write));
            case REFUSED -> callback.failed(new ClosedChannelException());
            case QUEUED -> { }
        }
    }

    /**
     * Writes the batch, then whatever queued meanwhile, until the line is empty or the socket is full; then
     * Jetty waits for the socket to drain and calls {@link Resume}. Only the thread that made the line busy runs
     * it.
     */
    private void drain(List<WriteLine.Write> first) {
        List<WriteLine.Write> batch = first;
        while (!batch.isEmpty()) {
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

    /** The batch is written: tells Jetty's writes in it, and takes the next batch from the line (empty if none). */
    private List<WriteLine.Write> next(List<WriteLine.Write> written) {
        for (WriteLine.Write write : written) {
            if (write.callback() != null) {
                write.callback().succeeded();
            }
        }
        WriteLine.Next next = line.next();
        if (!next.dropped().isEmpty()) {
            // closed while this thread was writing: what queued behind will never go
            failCallbacks(next.dropped(), new ClosedChannelException());
        }
        return next.batch();
    }

    /** The socket failed: everything in line fails with it, and nothing more is taken. */
    private void fail(List<WriteLine.Write> batch, Throwable cause) {
        List<WriteLine.Write> dropped = new ArrayList<>(batch);
        dropped.addAll(line.fail());
        failCallbacks(dropped, cause);
        close(cause);
    }

    private static void failCallbacks(List<WriteLine.Write> dropped, Throwable cause) {
        for (WriteLine.Write write : dropped) {
            if (write.callback() != null) {
                write.callback().failed(cause);
            }
        }
    }

    @Override
    public void onClose(Throwable cause) {
        line.close(); // what is in line is failed by the pending write's Resume, or by the writer's next()
        super.onClose(cause);
    }

    private static ByteBuffer[] buffersOf(List<WriteLine.Write> batch) {
        if (batch.size() == 1) {
            return batch.get(0).buffers();
        }
        int count = 0;
        for (WriteLine.Write write : batch) {
            count += write.buffers().length;
        }
        ByteBuffer[] buffers = new ByteBuffer[count];
        int at = 0;
        for (WriteLine.Write write : batch) {
            System.arraycopy(write.buffers(), 0, buffers, at, write.buffers().length);
            at += write.buffers().length;
        }
        return buffers;
    }

    /** Called by Jetty once the socket took the rest of a batch (or failed): goes on down the line. */
    private final class Resume implements Callback {
        private final List<WriteLine.Write> batch;

        Resume(List<WriteLine.Write> batch) {
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
            for (WriteLine.Write write : batch) {
                if (write.callback() != null) {
                    type = Invocable.combine(type, Invocable.getInvocationType(write.callback()));
                }
            }
            return type;
        }
    }
}
