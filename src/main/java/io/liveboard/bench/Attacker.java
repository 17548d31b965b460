package io.liveboard.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The {@code flood} scenario's attacker: opens many TCP connections to the server from one local address as
 * fast as it can (non-blocking connects, a bounded number in flight), sends each the first byte of a request
 * line ({@code G}) and then nothing, and holds them. A connection the server closes (end of stream or reset)
 * is counted and closed here too, as each holds one of this process's open files; with {@code reconnect} it
 * is opened again, to keep the pressure on. It stops opening when this process nears its own open-file limit.
 */
final class Attacker implements AutoCloseable {

    /** Open files kept back for the rest of this process: the probe's sockets, jars, the JVM's own. */
    private static final long RESERVE = 256;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] FIRST_BYTE = "G".getBytes(StandardCharsets.US_ASCII);

    /**
     * What the attack did. {@code attempted}: connects started (reopened ones included); {@code held}: open
     * at the end; {@code answered}: connections on which the server sent anything; {@code limitedByOwnFiles}:
     * it wanted to open more but this process was near its open-file limit; {@code firstConnectError}: what
     * the first failed connect said (null if none failed); {@code secondsToAllHeld}: from the start until all
     * the connections asked for were held at once (null if they never were).
     */
    record Tally(long attempted, long connected, long held, long closedByServer, long connectFailures,
            long connectTimeouts, long answered, boolean limitedByOwnFiles, String firstConnectError,
            Double secondsToAllHeld) {
    }

    /** One connection's state, attached to its selection key. */
    private static final class Connection {
        final long startedNanos;
        boolean answered;

        Connection(long startedNanos) {
            this.startedNanos = startedNanos;
        }
    }

    private final InetSocketAddress server;
    private final LocalPorts ports;
    private final int target;
    private final int maxInFlight;
    private final boolean reconnect;
    private final long capacity;
    private final Selector selector;
    /** Keys of the connects started, oldest first, to time them out. */
    private final ArrayDeque<SelectionKey> connecting = new ArrayDeque<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private long open;
    private long inFlight;
    private long attempted;
    private long connected;
    private long closedByServer;
    private long connectFailures;
    private long connectTimeouts;
    private long answered;
    private boolean limitedByOwnFiles;
    private String firstConnectError;
    private long startNanos;
    private long allHeldNanos = -1;

    /**
     * An attacker that will hold {@code connections} connections to {@code server} from {@code from}, with at
     * most {@code maxInFlight} connects in flight.
     */
    Attacker(InetSocketAddress server, InetAddress from, int connections, int maxInFlight, boolean reconnect)
            throws IOException {
        this.server = server;
        this.ports = new LocalPorts(from, server.getPort());
        this.target = connections;
        this.maxInFlight = maxInFlight;
        this.reconnect = reconnect;
        this.selector = Selector.open();
        this.capacity = Math.max(0, OpenFiles.ownLimit() - OpenFiles.ownOpen() - RESERVE);
    }

    /** The connections this process can hold at most, given its open-file limit and what it holds already. */
    long capacity() {
        return capacity;
    }

    /** Attacks until {@code deadlineNanos} ({@link System#nanoTime()}), on the calling thread. */
    void run(long deadlineNanos) throws IOException {
        startNanos = System.nanoTime();
        while (System.nanoTime() < deadlineNanos) {
            openMore();
            selector.select(10);
            Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();
                if (key.isValid() && key.isConnectable()) {
                    finishConnect(key);
                } else if (key.isValid() && key.isReadable()) {
                    read(key);
                }
            }
            expireConnects(System.nanoTime());
            if (allHeldNanos < 0 && open - inFlight >= target) {
                allHeldNanos = System.nanoTime() - startNanos;
            }
        }
    }

    /** The figures so far. */
    Tally tally() {
        return new Tally(attempted, connected, open - inFlight, closedByServer, connectFailures, connectTimeouts,
                answered, limitedByOwnFiles, firstConnectError, allHeldNanos < 0 ? null
                        : Math.round(allHeldNanos / 1e6) / 1e3);
    }

    private void openMore() {
        while (inFlight < maxInFlight && (reconnect ? open < target : attempted < target)) {
            if (open >= capacity) {
                limitedByOwnFiles = true;
                return;
            }
            SocketChannel channel;
            try {
                channel = SocketChannel.open();
            } catch (IOException e) {
                // most likely "Too many open files": the estimate of what this process holds was short
                limitedByOwnFiles = true;
                return;
            }
            open++;
            attempted++;
            SelectionKey key;
            boolean done;
            try {
                channel.configureBlocking(false);
                ports.bind(channel);
                done = channel.connect(server);
                key = channel.register(selector, SelectionKey.OP_CONNECT, new Connection(System.nanoTime()));
            } catch (IOException e) {
                // no local port left, or refused at once: try again after the next select, not in a tight loop
                connectFailed(e);
                close(channel);
                return;
            }
            if (done) {
                connected(key);
            } else {
                inFlight++;
                connecting.add(key);
            }
        }
    }

    private void finishConnect(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            inFlight--;
            if (String.valueOf(e.getMessage()).contains("reset")) {
                // the handshake completed and the server reset the connection it had accepted
                connected++;
                closedByServer++;
            } else {
                connectFailed(e);
            }
            close(channel);
            return;
        }
        inFlight--;
        connected(key);
    }

    /** A connect that completed: send the first byte and wait for the server to answer or close. */
    private void connected(SelectionKey key) {
        connected++;
        try {
            key.interestOps(SelectionKey.OP_READ);
            ((SocketChannel) key.channel()).write(ByteBuffer.wrap(FIRST_BYTE));
        } catch (IOException e) {
            closedByServer++;
            close((SocketChannel) key.channel());
        }
    }

    private void connectFailed(IOException e) {
        connectFailures++;
        if (firstConnectError == null) {
            firstConnectError = e.toString();
        }
    }

    private void read(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        try {
            int read = channel.read(scratch.clear());
            if (read < 0) {
                closedByServer++;
                close(channel);
            } else if (read > 0 && !connection.answered) {
                connection.answered = true;
                answered++;
            }
        } catch (IOException e) {
            // reset by the server
            closedByServer++;
            close(channel);
        }
    }

    private void expireConnects(long now) {
        while (!connecting.isEmpty()) {
            SelectionKey oldest = connecting.peekFirst();
            SocketChannel channel = (SocketChannel) oldest.channel();
            if (oldest.isValid() && channel.isConnectionPending()) {
                if (now - ((Connection) oldest.attachment()).startedNanos < CONNECT_TIMEOUT_NANOS) {
                    return;
                }
                inFlight--;
                connectTimeouts++;
                close(channel);
            }
            connecting.pollFirst();
        }
    }

    private void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a connection that is gone already
        }
        open--;
    }

    /** Closes every connection with a reset (no TIME_WAIT left on this side), then the selector. */
    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) {
            SocketChannel channel = (SocketChannel) key.channel();
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                // not connected: a plain close will do
            }
            try {
                channel.close();
            } catch (IOException e) {
                // gone already
            }
        }
        selector.close();
        open = 0;
        inFlight = 0;
    }
}
