package io.liveboard.sse;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices at once that the client of an SSE stream went away. Jetty does not read an HTTP/1 connection while
 * its response is being written, so a closed stream would only show at the next write (a heartbeat, seconds
 * later) and go on counting meanwhile (presence, connection counts, its address's places). This keeps a read
 * pending on the connection: the client's close ends the stream; so does anything the client sends, since an
 * SSE client has nothing to say after its request. Once the stream ends, the pending read makes Jetty close the
 * connection instead of reusing it, which is what an ended stream wants anyway.
 */
final class PeerCloseWatch implements Callback {

    private final EndPoint endPoint;
    private final Runnable onClosed;
    private final ByteBuffer buffer = BufferUtil.allocate(64);

    private PeerCloseWatch(EndPoint endPoint, Runnable onClosed) {
        this.endPoint = endPoint;
        this.onClosed = onClosed;
    }

    /** Watches {@code endPoint}, running {@code onClosed} (which must be idempotent) when its client is gone. */
    static void start(EndPoint endPoint, Runnable onClosed) {
        new PeerCloseWatch(endPoint, onClosed).await();
    }

    private void await() {
        try {
            endPoint.fillInterested(this);
        } catch (RuntimeException e) {
            // a read is already pending (the client sent a body with its GET): the next write will tell instead
        }
    }

    /** The connection can be read: an end of stream, data, or a spurious wake-up. */
    @Override
    public void succeeded() {
        int read;
        try {
            BufferUtil.clear(buffer);
            read = endPoint.fill(buffer);
        } catch (IOException e) {
            read = -1;
        }
        if (read == 0) {
            await();
        } else {
            onClosed.run();
        }
    }

    /** The connection closed (or failed) under the pending read. */
    @Override
    public void failed(Throwable cause) {
        onClosed.run();
    }
}
