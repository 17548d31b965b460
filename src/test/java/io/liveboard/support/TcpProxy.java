package io.liveboard.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a server, for tests of what a client does when the network
 * fails. It forwards bytes both ways as they come, and on demand:
 * <ul>
 *   <li>{@link #cutAll()} closes every connection;</li>
 *   <li>{@link #stallAll()} makes them go silent without closing them;</li>
 *   <li>{@link #refuse()} turns new ones away (accepted and closed at once, as an unreachable server looks to a
 *       browser) until {@link #allow()};</li>
 *   <li>{@link #cutAfterNextClientSend()} cuts right after the next bytes a client sends: the server gets them,
 *       the client never gets the answer (a command whose ack is lost), and new connections are turned away until
 *       {@link #allow()};</li>
 *   <li>{@link #target(int)} points it at another port (a server restarted elsewhere).</li>
 * </ul>
 * Threads: one acceptor, two pumps per connection, all daemons.
 */
public final class TcpProxy implements AutoCloseable {

    /** One client's connection and its connection to the server. */
    private final class Pair {
        final Socket client;
        final Socket server;
        /** Nothing more is forwarded (set before a cut, or to stall the connection). */
        volatile boolean muted;

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
            pairs.remove(this);
        }
    }

    private final ServerSocket listener;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cutAfterSend = new AtomicBoolean();
    private volatile Predicate<byte[]> cutAfter = bytes -> true;
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile int targetPort;
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy forwarding to {@code targetPort} on 127.0.0.1. */
    public static TcpProxy start(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code http://127.0.0.1:<proxy port><path>}. */
    public String http(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** New connections go to {@code port} from now on (open ones stay where they are). */
    public void target(int port) {
        targetPort = port;
    }

    /** Connections accepted so far (refused ones included). */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int open() {
        return pairs.size();
    }

    /** Closes every open connection, both ends. */
    public void cutAll() {
        for (Pair pair : List.copyOf(pairs)) {
            pair.muted = true;
            pair.close();
        }
    }

    /**
     * Every open connection goes silent: nothing more is forwarded either way, but nothing is closed (a peer
     * gone without a word, a NAT that forgot the connection). New connections work as usual.
     */
    public void stallAll() {
        pairs.forEach(pair -> pair.muted = true);
    }

    /** New connections are closed as soon as they are accepted, until {@link #allow()}. */
    public void refuse() {
        refusing = true;
    }

    public void allow() {
        refusing = false;
    }

    /**
     * The next bytes any client sends are forwarded to the server, and then, before anything the server sends
     * back can reach a client, every connection is cut and new ones are refused until {@link #allow()}.
     */
    public void cutAfterNextClientSend() {
        cutAfterNextClientSend(bytes -> true);
    }

    /**
     * As {@link #cutAfterNextClientSend()}, for the next bytes a client sends (as one read brings them) that
     * {@code which} accepts: others pass as usual (a WebSocket ping, a presence read).
     */
    public void cutAfterNextClientSend(Predicate<byte[]> which) {
        cutAfter = which;
        cutAfterSend.set(true);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client); // the server is not there: so the client sees it
                closeQuietly(server);
                continue;
            }
            Pair pair = new Pair(client, server);
            pairs.add(pair);
            pump(pair, true);
            pump(pair, false);
        }
    }

    private void pump(Pair pair, boolean upstream) {
        Socket from = upstream ? pair.client : pair.server;
        Socket to = upstream ? pair.server : pair.client;
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (upstream && cutAfterSend.get() && cutAfter.test(Arrays.copyOf(buffer, n))
                            && cutAfterSend.compareAndSet(true, false)) {
                        refusing = true;
                        pairs.forEach(p -> p.muted = true);
                        out.write(buffer, 0, n);
                        out.flush();
                        cutAll();
                        return;
                    }
                    if (pair.muted) {
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                // an orderly end one way: pass it on; the other way may still carry data
                to.shutdownOutput();
                if (from.isOutputShutdown()) {
                    pair.close();
                }
            } catch (IOException e) {
                pair.close();
            }
        }, "tcp-proxy-" + (upstream ? "up-" : "down-") + pair.client.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        cutAll();
    }
}
