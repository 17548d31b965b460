package io.liveboard.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Many WebSocket clients joined to boards. Each counts the {@code task_created} events it receives whose
 * title is {@code bench-<n>}, and records send→receive latency from the send time of task n.
 */
final class Subscribers implements AutoCloseable {

    private static final String MARK = "\"title\":\"bench-";

    private final List<WebSocketClient> jettyClients = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();
    private final Histogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger pongs = new AtomicInteger();
    private volatile AtomicLongArray sentAt = new AtomicLongArray(0);

    /** One connection's listener; public because Jetty calls it reflectively. */
    public final class Member implements Session.Listener.AutoDemanding {
        final String boardId;
        final CompletableFuture<Void> joined = new CompletableFuture<>();
        final AtomicInteger events = new AtomicInteger();
        Session session;

        Member(String boardId) {
            this.boardId = boardId;
        }

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.sendText("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}", Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            long now = System.nanoTime();
            int mark = message.indexOf(MARK);
            if (mark >= 0 && message.startsWith("{\"type\":\"task_created\"")) {
                int start = mark + MARK.length();
                int end = message.indexOf('"', start);
                int n = Integer.parseInt(message, start, end, 10);
                AtomicLongArray sent = sentAt;
                if (n < sent.length() && sent.get(n) != 0) {
                    latency.recordValue(Math.max(0, now - sent.get(n)));
                }
                events.incrementAndGet();
                received.incrementAndGet();
            } else if (message.startsWith("{\"type\":\"joined\"")) {
                joined.complete(null);
            } else if (message.startsWith("{\"type\":\"pong\"")) {
                pongs.incrementAndGet();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            joined.completeExceptionally(cause);
        }
    }

    /**
     * Connects {@code count} clients to {@code ws}, client i joining {@code boardIds[i % boards]}, spread
     * over {@code addresses} local addresses (127.0.0.1, 127.0.0.2, …); waits until all have joined.
     */
    Subscribers(URI ws, List<String> boardIds, int count, int addresses) throws Exception {
        for (int a = 0; a < addresses; a++) {
            HttpClient http = new HttpClient();
            http.setBindAddress(new InetSocketAddress("127.0.0." + (a + 1), 0));
            http.setMaxConnectionsPerDestination(Integer.MAX_VALUE);
            WebSocketClient client = new WebSocketClient(http);
            client.setIdleTimeout(java.time.Duration.ofMinutes(10));
            client.start();
            jettyClients.add(client);
        }
        int batch = 500;
        for (int from = 0; from < count; from += batch) {
            List<CompletableFuture<Session>> connecting = new ArrayList<>();
            List<Member> wave = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + batch); i++) {
                Member member = new Member(boardIds.get(i % boardIds.size()));
                wave.add(member);
                connecting.add(jettyClients.get(i % addresses).connect(member, ws));
            }
            for (int i = 0; i < wave.size(); i++) {
                sessions.add(connecting.get(i).get(30, TimeUnit.SECONDS));
                wave.get(i).joined.get(30, TimeUnit.SECONDS);
            }
            members.addAll(wave);
        }
    }

    /** Tasks 0..n-1 will be sent; {@link #sent} records when. */
    void expect(int tasks) {
        sentAt = new AtomicLongArray(tasks);
    }

    void sent(int task, long nanos) {
        sentAt.set(task, nanos);
    }

    long received() {
        return received.get();
    }

    /** Deliveries each member should have had, given how many tasks went to each board. */
    long missing(java.util.Map<String, Integer> tasksPerBoard) {
        long missing = 0;
        for (Member member : members) {
            missing += Math.max(0, tasksPerBoard.getOrDefault(member.boardId, 0) - member.events.get());
        }
        return missing;
    }

    Histogram latency() {
        return latency;
    }

    int size() {
        return members.size();
    }

    /** Pings every connection and counts the pongs that come back within the wait. */
    int pingAll(long waitMillis) throws InterruptedException {
        pongs.set(0);
        for (Member member : members) {
            member.session.sendText("{\"type\":\"ping\"}", Callback.NOOP);
        }
        long deadline = System.currentTimeMillis() + waitMillis;
        while (pongs.get() < members.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return pongs.get();
    }

    @Override
    public void close() {
        for (WebSocketClient client : jettyClients) {
            try {
                client.stop();
            } catch (Exception e) {
                // tearing down the load generator
            }
        }
    }
}
