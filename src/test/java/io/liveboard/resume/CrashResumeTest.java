package io.liveboard.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real server process killed with {@code kill -9} in the middle of a stream of writes, several times, and
 * restarted on the same SQLite file: every write answered 2xx before a kill is still there with its event,
 * and a WebSocket client and an SSE client that resume from the last seq they saw ({@code join} with
 * {@code since}, {@code Last-Event-ID}) end up with every seq of the board exactly once, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashResumeTest {

    private static final int CYCLES = 3;
    private static final int WRITERS = 4;
    /** Acknowledged writes per cycle before the kill. */
    private static final int WRITES_BEFORE_KILL = 300;
    /** Acknowledged writes on a restarted server before the clients resume: events they must get replayed. */
    private static final int WRITES_BEFORE_RESUME = 30;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path dir;
    private ForkedServer server;
    private Writers writers;
    private WsSubscriber ws;
    private SseSubscriber sse;

    @AfterEach
    void tearDown() {
        if (writers != null) {
            writers.stop();
        }
        if (ws != null) {
            ws.close();
        }
        if (sse != null) {
            sse.close();
        }
        if (server != null) {
            try {
                server.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void writesAnsweredBeforeKillMinus9SurviveAndResumingClientsGetEverySeqOnceInOrder() throws Exception {
        dir = Files.createTempDirectory("liveboard-crash");
        Path db = dir.resolve("liveboard.db");
        server = ForkedServer.start(http, db, dir.resolve("server.log"));

        JsonNode board = json(request("POST", server.http("/boards"), "{\"name\":\"Crash\"}", 201));
        String boardId = board.path("id").asText();
        String listId = json(request("GET", server.http("/boards/" + boardId), null, 200))
                .path("lists").path(0).path("id").asText();

        ws = new WsSubscriber(boardId);
        JsonNode joined = ws.connect(server, null);
        assertEquals(0, joined.path("seq").asLong(), joined.toString());
        String epoch = joined.path("epoch").asText();
        assertTrue(epoch.matches("[0-9a-f]{8}"), "epoch of a fresh database: " + joined);
        sse = new SseSubscriber(http, boardId);
        assertEquals(epoch, sse.connect(server, null).path("epoch").asText(), "SSE and WebSocket tell one epoch");

        writers = new Writers(http, listId, server);
        writers.start();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            int ackedBefore = writers.acked.size();
            int wsBefore = ws.count();
            int sseBefore = sse.count();
            await("cycle " + cycle + ": " + WRITES_BEFORE_KILL + " more writes answered and both clients live",
                    () -> writers.acked.size() >= ackedBefore + WRITES_BEFORE_KILL
                            && ws.count() > wsBefore && sse.count() > sseBefore);

            server.killMinus9();
            ws.awaitDisconnected();
            sse.awaitDisconnected();
            // no server runs now: every write in the map was answered 2xx by the killed process
            Map<String, String> answeredBeforeKill = Map.copyOf(writers.acked);
            List<String> lastAnswered = writers.lastAnswered(20);

            server = ForkedServer.start(http, db, dir.resolve("server.log"));
            writers.target = server;

            JsonNode afterRestart = json(request("GET", server.http("/boards/" + boardId), null, 200));
            Map<String, String> kept = titlesById(afterRestart);
            for (Map.Entry<String, String> answered : answeredBeforeKill.entrySet()) {
                assertEquals(answered.getValue(), kept.get(answered.getKey()),
                        "cycle " + cycle + ": task " + answered.getKey() + " was answered 2xx before kill -9; log "
                                + server.log);
            }
            for (String taskId : lastAnswered) {
                JsonNode task = json(request("GET", server.http("/tasks/" + taskId), null, 200));
                assertEquals(answeredBeforeKill.get(taskId), task.path("title").asText(), task.toString());
            }
            long seqAfterRestart = afterRestart.path("seq").asLong();
            assertTrue(seqAfterRestart >= Math.max(ws.last(), sse.last()),
                    "every event a client got was committed: board seq " + seqAfterRestart + ", WebSocket got "
                            + ws.last() + ", SSE got " + sse.last());

            int ackedAtRestart = writers.acked.size();
            await(WRITES_BEFORE_RESUME + " writes on the restarted server before the clients resume",
                    () -> writers.acked.size() >= ackedAtRestart + WRITES_BEFORE_RESUME);
            long since = ws.last();
            JsonNode rejoined = ws.connect(server, epoch);
            assertEquals(epoch, rejoined.path("epoch").asText(), "the same database file keeps its epoch");
            assertTrue(rejoined.path("seq").asLong() >= since + WRITES_BEFORE_RESUME,
                    "joined since " + since + ": " + rejoined);
            assertEquals(epoch, sse.connect(server, sse.lastId()).path("epoch").asText());
        }
        int ackedAtEnd = writers.acked.size();
        await("writes carry on after the last resume",
                () -> writers.acked.size() >= ackedAtEnd + WRITES_BEFORE_RESUME);
        writers.stop();
        // the last event: once both clients have it, whatever the server was going to send them has come
        JsonNode sentinel = json(request("POST", server.http("/tasks"),
                Json.write(Map.of("listId", listId, "title", "sentinel")), 201));
        writers.acked.put(sentinel.path("id").asText(), "sentinel");
        JsonNode finalBoard = json(request("GET", server.http("/boards/" + boardId), null, 200));
        long n = finalBoard.path("seq").asLong();
        await("both clients reach seq " + n, () -> ws.last() >= n && sse.last() >= n);

        List<Long> expected = LongStream.rangeClosed(1, n).boxed().toList();
        assertSeqs("WebSocket", expected, ws.seqs());
        assertSeqs("SSE", expected, sse.seqs());
        assertEquals(List.of(), ws.problems(), "WebSocket: no resync, error or other board event");
        assertEquals(List.of(), sse.problems(), "SSE: no resync, error or other board event");
        assertEquals(List.of(), writers.unexpected, "writes answered neither 2xx nor cut off by a kill");

        Map<String, String> tasks = titlesById(finalBoard);
        assertEquals(n, tasks.size(), "one task per event (nothing was deleted)");
        writers.acked.forEach((taskId, title) -> assertEquals(title, tasks.get(taskId), "answered task " + taskId));
        assertEquals(tasks.keySet(), new HashSet<>(ws.taskIds()), "the WebSocket events are the board's tasks");
        assertEquals(tasks.keySet(), new HashSet<>(sse.taskIds()), "the SSE events are the board's tasks");

        assertTrue(ws.replayed >= (long) CYCLES * WRITES_BEFORE_RESUME, "WebSocket replayed " + ws.replayed);
        assertTrue(sse.replayed >= (long) CYCLES * WRITES_BEFORE_RESUME, "SSE replayed " + sse.replayed);
        System.out.printf("CrashResumeTest: %d kill -9 cycles; WebSocket client checked %d events (%d of them"
                        + " replayed on resume), SSE client checked %d events (%d replayed); %d writes answered 2xx,"
                        + " %d cut off by a kill%n", CYCLES, ws.seqs().size(), ws.replayed, sse.seqs().size(),
                sse.replayed, writers.acked.size(), writers.cutOff.get());
    }

    /** {@link Await#until}, failing with where the writers and clients stand. */
    private void await(String what, BooleanSupplier condition) {
        try {
            Await.until(what, WAIT, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; writes answered " + writers.acked.size() + ", cut off "
                    + writers.cutOff + ", unexpected " + writers.unexpected.size() + " "
                    + writers.unexpected.subList(0, Math.min(3, writers.unexpected.size())) + "; WebSocket got "
                    + ws.count() + " up to seq " + ws.last() + ", problems " + ws.problems() + "; SSE got "
                    + sse.count() + " up to seq " + sse.last() + ", problems " + sse.problems() + "; server log "
                    + server.log, e);
        }
    }

    private static void assertSeqs(String client, List<Long> expected, List<Long> actual) {
        if (!expected.equals(actual)) {
            int i = 0;
            while (i < Math.min(expected.size(), actual.size()) && expected.get(i).equals(actual.get(i))) {
                i++;
            }
            fail(client + ": expected seqs 1.." + expected.size() + " once each, got " + actual.size()
                    + " seqs, first difference at index " + i + ": "
                    + actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 5)));
        }
    }

    private static Map<String, String> titlesById(JsonNode board) {
        Map<String, String> titles = new HashMap<>();
        for (JsonNode list : board.path("lists")) {
            for (JsonNode task : list.path("tasks")) {
                titles.put(task.path("id").asText(), task.path("title").asText());
            }
        }
        return titles;
    }

    private static JsonNode json(String body) {
        try {
            return Json.parse(body);
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + body, e);
        }
    }

    /** Sends a request to the forked server, asserting the status; returns the body. */
    private String request(String method, String uri, String body, int status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), method + " " + uri + ": " + response.body());
        return response.body();
    }

    /** {@code java -cp <test class path> io.liveboard.Main --port P --db <file>}: a server in its own JVM. */
    static final class ForkedServer {
        final Process process;
        final int port;
        final Path log;

        private ForkedServer(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        static ForkedServer start(HttpClient http, Path db, Path log) throws Exception {
            for (int attempt = 1; ; attempt++) {
                int port;
                try (ServerSocket probe = new ServerSocket(0)) {
                    port = probe.getLocalPort();
                }
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                // C1 only: the server answers in about 2 s instead of 3-4 s on two cores; it changes no behaviour
                ProcessBuilder command = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"),
                        "io.liveboard.Main", "--port", String.valueOf(port), "--host", "127.0.0.1",
                        "--db", db.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                // the defaults and these flags only, whatever the environment of the build says
                command.environment().keySet().removeIf(name -> name.startsWith("LIVEBOARD_") || name.equals("PORT"));
                Process process = command.start();
                ForkedServer server = new ForkedServer(process, port, log);
                boolean answering;
                try {
                    answering = server.awaitAnswering(http);
                } catch (Throwable t) {
                    process.destroyForcibly(); // not left behind by a failed or interrupted start
                    throw t;
                }
                if (answering) {
                    return server;
                }
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                if (attempt == 3) {
                    throw new AssertionError("The server did not start; its log " + log + " ends with:\n"
                            + tail(log));
                }
                // most likely another process took the port between the probe and the start: another one
            }
        }

        /** Waits until {@code GET /boards} answers 200; false if the process ended first. */
        private boolean awaitAnswering(HttpClient http) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return false;
                }
                try {
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(http("/boards")))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return true;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            throw new AssertionError("The server did not answer GET /boards within 30 s; log " + log);
        }

        /** SIGKILL: {@code destroyForcibly} on Linux, checked to have ended the process, not asked it to stop. */
        void killMinus9() throws InterruptedException {
            long pid = process.pid();
            assertTrue(process.isAlive(), "the server died before its kill; log " + log);
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "pid " + pid + " still running 10 s after SIGKILL");
            assertEquals(128 + 9, process.exitValue(), "pid " + pid + " ended by signal 9");
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is gone");
        }

        String http(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        String ws(String path) {
            return "ws://127.0.0.1:" + port + path;
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }

    /** Threads that POST tasks until stopped, to whichever server is current, recording each one answered 2xx. */
    static final class Writers {
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final ConcurrentLinkedDeque<String> order = new ConcurrentLinkedDeque<>();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger cutOff = new AtomicInteger();
        volatile ForkedServer target;
        private volatile boolean stopped;
        private final HttpClient http;
        private final String listId;
        private final List<Thread> threads = new ArrayList<>();

        Writers(HttpClient http, String listId, ForkedServer target) {
            this.http = http;
            this.listId = listId;
            this.target = target;
        }

        void start() {
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                Thread thread = new Thread(() -> write(writer), "crash-writer-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        private void write(int writer) {
            for (int n = 0; !stopped; n++) {
                String title = "w" + writer + "-" + n;
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                    URI.create(target.http("/tasks")))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    Json.write(Map.of("listId", listId, "title", title)))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() / 100 == 2) {
                        String id = json(response.body()).path("id").asText();
                        acked.put(id, title);
                        order.add(id);
                    } else {
                        unexpected.add(title + ": " + response.statusCode() + " " + response.body());
                        pause();
                    }
                } catch (ConnectException e) {
                    // the server is down: wait for the restart to change the target
                    pause();
                } catch (IOException e) {
                    // in flight when the server was killed: unanswered, so it may or may not have committed
                    cutOff.incrementAndGet();
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The ids of the last {@code count} writes answered, the ones nearest a kill. */
        List<String> lastAnswered(int count) {
            List<String> last = new ArrayList<>();
            var it = order.descendingIterator();
            while (it.hasNext() && last.size() < count) {
                last.add(it.next());
            }
            return last;
        }

        void stop() {
            stopped = true;
            for (Thread thread : threads) {
                try {
                    thread.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A WebSocket viewer of one board that records every task_created seq and resumes with {@code since}. */
    static final class WsSubscriber {
        private final String boardId;
        private final WebSocketClient jetty = new WebSocketClient();
        private final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        private final Map<Long, String> taskIds = new ConcurrentHashMap<>();
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private volatile long last;
        private volatile long replayUpTo;
        private volatile boolean resuming;
        volatile long replayed;
        private volatile CompletableFuture<JsonNode> joined;
        private volatile CompletableFuture<Integer> closed;
        private volatile Session session;

        WsSubscriber(String boardId) throws Exception {
            this.boardId = boardId;
            jetty.start();
        }

        /** Connects and joins, with {@code since} = the last seq seen unless this is the first join. */
        JsonNode connect(ForkedServer server, String epoch) throws Exception {
            joined = new CompletableFuture<>();
            closed = new CompletableFuture<>();
            session = jetty.connect(new Listener(), URI.create(server.ws("/ws"))).get(10, TimeUnit.SECONDS);
            Map<String, Object> join = new LinkedHashMap<>();
            join.put("type", "join");
            join.put("boardId", boardId);
            resuming = epoch != null;
            if (resuming) {
                join.put("since", last);
                join.put("epoch", epoch);
            }
            session.sendText(Json.write(join), Callback.NOOP);
            JsonNode answer = joined.get(10, TimeUnit.SECONDS);
            assertEquals(boardId, answer.path("boardId").asText(), answer.toString());
            return answer;
        }

        /** Public because Jetty calls listener methods reflectively. */
        public final class Listener implements Session.Listener.AutoDemanding {
            @Override
            public void onWebSocketText(String text) {
                JsonNode message = json(text);
                String type = message.path("type").asText();
                switch (type) {
                    case "joined" -> {
                        // on a resume, the events up to the joined seq are the replay
                        replayUpTo = resuming ? message.path("seq").asLong() : 0;
                        joined.complete(message);
                    }
                    case "task_created" -> {
                        long seq = message.path("seq").asLong();
                        if (!boardId.equals(message.path("boardId").asText())) {
                            problems.add("another board's event: " + text);
                        }
                        seqs.add(seq);
                        taskIds.put(seq, message.path("task").path("id").asText());
                        if (seq <= replayUpTo) {
                            replayed++;
                        }
                        last = seq;
                    }
                    default -> {
                        // presence and the like are not this test's business; another board event, a resync
                        // or an error is
                        if (message.has("error") || type.equals("resync") || type.startsWith("task_")
                                || type.startsWith("list_")) {
                            problems.add(text.length() <= 300 ? text : text.substring(0, 300));
                        }
                    }
                }
            }

            @Override
            public void onWebSocketError(Throwable cause) {
                // a killed server: the close status is what counts
            }

            @Override
            public void onWebSocketClose(int statusCode, String reason,
                    org.eclipse.jetty.websocket.api.Callback callback) {
                closed.complete(statusCode);
                callback.succeed();
            }
        }

        void awaitDisconnected() throws Exception {
            int status = closed.get(10, TimeUnit.SECONDS);
            assertEquals(1006, status, "a killed server cannot send a close frame");
        }

        int count() {
            return seqs.size();
        }

        long last() {
            return last;
        }

        List<Long> seqs() {
            synchronized (seqs) {
                return List.copyOf(seqs);
            }
        }

        List<String> taskIds() {
            return List.copyOf(taskIds.values());
        }

        List<String> problems() {
            synchronized (problems) {
                return List.copyOf(problems);
            }
        }

        void close() {
            try {
                jetty.stop();
            } catch (Exception e) {
                // closing a test client
            }
        }
    }

    /** An SSE viewer of one board that records every task_created seq and resumes with Last-Event-ID. */
    static final class SseSubscriber {
        private final HttpClient http;
        private final String boardId;
        private final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        private final Map<Long, String> taskIds = new ConcurrentHashMap<>();
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private volatile String epoch;
        private volatile String lastId;
        private volatile long last;
        volatile long replayed;
        private volatile CompletableFuture<JsonNode> connected;
        private volatile CompletableFuture<Void> ended;
        private volatile InputStream body;

        SseSubscriber(HttpClient http, String boardId) {
            this.http = http;
            this.boardId = boardId;
        }

        /** Opens the board's stream, with {@code Last-Event-ID} when given; returns its {@code connected} data. */
        JsonNode connect(ForkedServer server, String lastEventId) throws Exception {
            long replayUpTo = 0;
            if (lastEventId != null) {
                // what the board holds now, before the stream opens, is replay, not live
                HttpResponse<String> board = http.send(HttpRequest.newBuilder(
                        URI.create(server.http("/boards/" + boardId))).build(), HttpResponse.BodyHandlers.ofString());
                replayUpTo = json(board.body()).path("seq").asLong();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http("/boards/" + boardId + "/events")))
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode(), "SSE stream with Last-Event-ID " + lastEventId);
            connected = new CompletableFuture<>();
            ended = new CompletableFuture<>();
            body = response.body();
            long upTo = replayUpTo;
            Thread reader = new Thread(() -> read(response.body(), upTo), "crash-sse-reader");
            reader.setDaemon(true);
            reader.start();
            return connected.get(10, TimeUnit.SECONDS);
        }

        private void read(InputStream in, long replayUpTo) {
            try {
                SseClient.parse(in, e -> {
                    if (e.data() != null && !":comment".equals(e.event())) {
                        dispatch(e.event(), e.id(), e.data(), replayUpTo);
                    }
                });
            } catch (IOException e) {
                // the server was killed
            } finally {
                ended.complete(null);
            }
        }

        private void dispatch(String event, String id, String data, long replayUpTo) {
            JsonNode message = json(data);
            if ("message".equals(event) && "connected".equals(message.path("type").asText())) {
                if (epoch == null) {
                    epoch = message.path("epoch").asText();
                } else if (!epoch.equals(message.path("epoch").asText())) {
                    problems.add("epoch changed: " + data);
                }
                connected.complete(message);
                return;
            }
            if (!"task_created".equals(event)) {
                if (event.equals("resync") || event.startsWith("task_") || event.startsWith("list_")
                        || message.has("error")) {
                    problems.add(event + " " + id + " " + (data.length() <= 300 ? data : data.substring(0, 300)));
                }
                return;
            }
            long seq = message.path("seq").asLong();
            if (id == null || !id.equals(epoch + "/" + seq)) {
                problems.add("id " + id + " is not <epoch>/<seq> = " + epoch + "/" + seq);
            }
            seqs.add(seq);
            taskIds.put(seq, message.path("task").path("id").asText());
            if (seq <= replayUpTo) {
                replayed++;
            }
            lastId = id;
            last = seq;
        }

        void awaitDisconnected() throws Exception {
            ended.get(10, TimeUnit.SECONDS);
        }

        String lastId() {
            return lastId;
        }

        long last() {
            return last;
        }

        int count() {
            return seqs.size();
        }

        List<Long> seqs() {
            synchronized (seqs) {
                return List.copyOf(seqs);
            }
        }

        List<String> taskIds() {
            return List.copyOf(taskIds.values());
        }

        List<String> problems() {
            synchronized (problems) {
                return List.copyOf(problems);
            }
        }

        void close() {
            InputStream in = body;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing a test client
                }
            }
        }
    }
}
