package io.liveboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestPostgres;
import io.liveboard.support.TestRedis;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node in its own JVM killed with {@code kill -9} in the middle of writes, beside two nodes in this JVM (one
 * PostgreSQL database, one Redis): the clients of the living nodes still get the board's events 1..N once and in
 * order, those the dead node committed and perhaps never published included; the dead node's own clients, which had
 * 1..k when their connections dropped, resume on the living nodes ({@code since}, {@code Last-Event-ID}) and get
 * k+1..N.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeKillTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theClientsOfTheLivingNodesGetEveryEventOfANodeKilledMidWrites() throws Exception {
        Database.Postgres database = TestPostgres.freshDatabase();
        Config config = TestServer.fastConfig(database).toBuilder().redis(TestRedis.url()).build();
        Path log = Files.createTempFile("liveboard-forked-node", ".log");
        Process forked = null;
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config)) {
            int port = freePort();
            forked = fork(port, database, log);
            awaitAnswering(forked, port, log);
            try (WsClient onA = WsClient.connect(a); SseClient onB = SseClient.open(b, "/boards/board-1/events");
                    WsClient onForked = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"));
                    SseClient streamOnForked = SseClient.open(URI.create("http://127.0.0.1:" + port
                            + "/boards/board-1/events"), Map.of())) {
                onA.join("board-1");
                assertEquals("connected", onB.await(e -> e.retry() == null && !":comment".equals(e.event()))
                        .json().path("type").asText());
                String epoch = onForked.join("board-1").path("epoch").asText();
                assertEquals(epoch, streamOnForked.await(e -> e.retry() == null && !":comment".equals(e.event()))
                        .json().path("epoch").asText(), "the database's epoch, on every node");
                AtomicInteger committedByForked = new AtomicInteger();
                Future<?> toForked = writers.submit(() -> {
                    // writes until the node dies under it
                    while (true) {
                        try {
                            HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/tasks")).timeout(Duration.ofSeconds(5))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("listId", "list-todo",
                                            "title", "through the forked node")))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (reply.statusCode() == 201) {
                                committedByForked.incrementAndGet();
                            }
                        } catch (IOException e) {
                            return null;
                        }
                    }
                });
                Future<?> toA = writers.submit(() -> write(a, 30));
                Future<?> toB = writers.submit(() -> write(b, 30));
                io.liveboard.support.Await.until("the forked node committed some", () -> committedByForked.get() >= 10);
                long pid = forked.pid();
                forked.destroyForcibly();
                assertTrue(forked.waitFor(10, TimeUnit.SECONDS), "pid " + pid + " still running after SIGKILL");
                assertEquals(128 + 9, forked.exitValue(), "ended by signal 9");
                toForked.get(30, TimeUnit.SECONDS);
                // the dead node's own clients lose their connections, with the events they had, and resume elsewhere
                long lastOnForked = lastOfDropped(onForked);
                long lastStreamed = lastOfEnded(streamOnForked);
                WsClient resumed = WsClient.connect(a);
                resumed.send(Json.write(Map.of("type", "join", "boardId", "board-1", "since", lastOnForked,
                        "epoch", epoch)));
                assertEquals(epoch, resumed.awaitType("joined").path("epoch").asText());
                SseClient streamResumed = SseClient.open(b, "/boards/board-1/events",
                        Map.of("Last-Event-ID", epoch + "/" + lastStreamed));
                assertEquals(200, streamResumed.status());
                toA.get(60, TimeUnit.SECONDS);
                toB.get(60, TimeUnit.SECONDS);
                long last = new Http(a).get("/boards/board-1").json().path("seq").asLong();
                assertTrue(last >= 70, "the forked node's writes and the 60 of the others: " + last);
                try (resumed; streamResumed) {
                    for (long seq = 1; seq <= last; seq++) {
                        assertEquals(seq, nextSeq(onA), "ws on a");
                        assertEquals(seq, nextSeq(onB), "sse on b");
                        if (seq > lastOnForked) {
                            assertEquals(seq, nextSeq(resumed), "the forked node's ws, resumed on a since "
                                    + lastOnForked);
                        }
                        if (seq > lastStreamed) {
                            assertEquals(seq, nextSeq(streamResumed), "the forked node's sse, resumed on b after "
                                    + lastStreamed);
                        }
                    }
                    // nothing more, nothing again
                    new Http(a).createTask("list-todo", "after it all");
                    for (WsClient client : List.of(onA, resumed)) {
                        assertEquals(last + 1, nextSeq(client));
                    }
                    for (SseClient client : List.of(onB, streamResumed)) {
                        assertEquals(last + 1, nextSeq(client));
                    }
                }
            }
        } finally {
            writers.shutdownNow();
            if (forked != null) {
                forked.destroyForcibly();
            }
        }
    }

    private static long nextSeq(WsClient client) {
        return client.await(m -> m.path("type").asText().startsWith("task_"), Duration.ofSeconds(5)).path("seq")
                .asLong();
    }

    private static long nextSeq(SseClient client) {
        return Long.parseLong(client.await(e -> e.event() != null && e.event().startsWith("task_"),
                Duration.ofSeconds(5)).position());
    }

    /**
     * Waits until the socket is closed under the client (its node died), and returns the number of the last event it
     * had, after checking that it had them all from 1 on, once and in order.
     */
    private static long lastOfDropped(WsClient client) {
        assertEquals(1006, client.awaitClose(), "closed without a close frame");
        List<Long> seqs = client.drain().stream().filter(m -> m.path("type").asText().startsWith("task_"))
                .map(m -> m.path("seq").asLong()).toList();
        assertEquals(LongStream.rangeClosed(1, seqs.size()).boxed().toList(), seqs, "the dead node's ws had");
        return seqs.size();
    }

    /** As {@link #lastOfDropped} for an event stream: waits until it ends under the client. */
    private static long lastOfEnded(SseClient client) {
        client.awaitEnd(Duration.ofSeconds(10));
        List<Long> seqs = new ArrayList<>();
        for (SseClient.Event e = client.poll(Duration.ZERO); e != null; e = client.poll(Duration.ZERO)) {
            if (e.event() != null && e.event().startsWith("task_")) {
                seqs.add(Long.parseLong(e.position()));
            }
        }
        assertEquals(LongStream.rangeClosed(1, seqs.size()).boxed().toList(), seqs, "the dead node's sse had");
        return seqs.size();
    }

    private static Void write(TestServer node, int count) {
        Http http = new Http(node);
        for (int i = 0; i < count; i++) {
            http.createTask("list-todo", "through " + node.port());
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** {@code java -cp <test class path> io.liveboard.Main --db … --redis …}: a node in its own JVM. */
    private static Process fork(int port, Database.Postgres database, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder command = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.liveboard.Main", "--port", String.valueOf(port),
                "--host", "127.0.0.1", "--db", database.toString(), "--redis", TestRedis.url().url(),
                "--max-connections-per-ip", "0",
                // the killed node cannot take itself out of presence: in the test run's one Redis its entries live
                // a second, not 15, so that the tests after this one count only nodes that are alive
                "--presence-ttl", "1")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        command.environment().keySet().removeIf(name -> name.startsWith("LIVEBOARD_") || name.equals("PORT"));
        return command.start();
    }

    private static void awaitAnswering(Process process, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "the forked node ended; its log " + log + ":\n" + Files.readString(log));
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/boards")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the forked node did not answer within 30 s; its log " + log);
    }
}
