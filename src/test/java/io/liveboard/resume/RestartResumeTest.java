package io.liveboard.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import io.liveboard.support.Writers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming across a restart of the server on the same SQLite file: the events and the epoch are kept, so a
 * WebSocket viewer, an SSE stream and a poller that lost the server between two events reconnect (to the
 * new port) and resume where they were with nothing lost or doubled. A new database has another epoch, and
 * a position of the old one gets a resync there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestartResumeTest {

    private static final Set<String> EVENT_TYPES =
            Set.of("task_created", "task_updated", "task_moved", "task_deleted", "list_created");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-fA-F]{8}");
    private static final String COMMENT = ":comment";

    @Test
    void clientsOfEveryTransportResumeAcrossRestartsWithoutAGapAndTheEpochStays() throws Exception {
        try (TestServer server = TestServer.start(TestServer.fastConfig(newDatabaseFile()))) {
            Http http = new Http(server);
            String board = http.newBoard("Across restarts");
            String list = http.firstListOf(board);
            Viewer ws = new Viewer(server, board);
            Stream sse = new Stream(server, board);
            Poller poller = new Poller(http, board);
            Writers writers = null;
            try {
                ws.connect();
                sse.connect();
                String epoch = ws.epoch;
                assertEquals(epoch, sse.epoch, "one epoch for every transport");
                poller.step();
                assertEquals(epoch, poller.epoch, "one epoch for every transport");

                writers = new Writers(http, list).start();
                writers.awaitMore(40);
                poller.step();
                long created = 0;
                for (int restart = 1; restart <= 2; restart++) {
                    created += writers.stop();
                    long before = seqOf(http, board);
                    assertEquals(created, before, "one event per create");
                    ws.readUntil(before);
                    sse.readUntil(before);
                    poller.catchUp(before);

                    server.stop();
                    ws.lost();
                    sse.lost();
                    server.restart();

                    assertEquals(before, seqOf(http, board), "every committed event is still there");
                    for (int i = 0; i < 5; i++) {
                        http.createTask(list, "while everyone was away " + restart + "." + i);
                    }
                    created += 5;
                    writers = new Writers(http, list).start();
                    writers.awaitMore(20);
                    ws.connect();
                    sse.connect();
                    poller.step();
                    for (String seen : List.of(ws.epoch, sse.epoch, poller.epoch)) {
                        assertEquals(epoch, seen, "the epoch after restart " + restart);
                    }
                    writers.awaitMore(20);
                    poller.step();
                    ws.read(10);
                    sse.read(10);
                }
                created += writers.stop();
                long last = seqOf(http, board);
                assertEquals(created, last, "one event per create");
                ws.readUntil(last);
                sse.readUntil(last);
                poller.catchUp(last);
                List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
                assertEquals(expected, ws.seqs, "WebSocket");
                assertEquals(expected, sse.seqs, "SSE");
                assertEquals(expected, poller.seqs, "polling");
                ws.socket.assertNoneBeforePong(RestartResumeTest::isBoardEventOrTrouble);
            } finally {
                if (writers != null) {
                    writers.close();
                }
                ws.close();
                sse.close();
            }
        }
    }

    @Test
    void aNewDatabaseHasAnotherEpochAndAPositionOfTheOldOneGetsAResync() throws IOException {
        Path db = newDatabaseFile();
        String oldEpoch;
        try (TestServer old = TestServer.start(TestServer.fastConfig(db))) {
            oldEpoch = epochOf(new Http(old).get("/boards/board-1/updates?after=0").json());
            old.restart();
            assertEquals(oldEpoch, epochOf(new Http(old).get("/boards/board-1/updates?after=0").json()),
                    "a restart keeps the epoch");
        }
        for (Path fresh : List.of(newDatabaseFile(), deleted(db))) {
            try (TestServer server = TestServer.start(TestServer.fastConfig(fresh))) {
                Http http = new Http(server);
                for (int i = 1; i <= 5; i++) {
                    http.createTask("list-todo", "on the new database " + i);
                }
                String epoch = epochOf(http.get("/boards/board-1/updates?after=0").json());
                assertNotEquals(oldEpoch, epoch, "the epoch of a new database at " + fresh);

                JsonNode state = http.get("/boards/board-1").json();
                assertEquals(5, state.path("seq").asLong());
                ObjectNode resync = Json.MAPPER.createObjectNode().put("type", "resync").put("boardId", "board-1")
                        .put("seq", 5).put("epoch", epoch);
                resync.set("board", state);

                // position 3 exists on the new database too: only the epoch tells that it is not the same 3
                try (WsClient client = WsClient.connect(server)) {
                    client.send("{\"type\":\"join\",\"boardId\":\"board-1\",\"since\":3,\"epoch\":\"" + oldEpoch + "\"}");
                    JsonNode joined = client.await(RestartResumeTest::isJoinedOrTrouble);
                    assertEquals("joined", joined.path("type").asText(), joined.toString());
                    assertEquals(epoch, joined.path("epoch").asText());
                    assertEquals(resync, client.await(RestartResumeTest::isJoinedOrTrouble));
                    client.assertNoneBeforePong(RestartResumeTest::isBoardEventOrTrouble);
                }
                try (SseClient sse = SseClient.open(server, "/boards/board-1/events",
                        Map.of("Last-Event-ID", oldEpoch + "/3"))) {
                    assertEquals(200, sse.status());
                    assertEquals(epoch, connectedOf(sse).path("epoch").asText());
                    SseClient.Event event = nextEvent(sse);
                    assertEquals("resync", event.event(), event.toString());
                    assertEquals(epoch + "/5", event.id());
                    assertEquals(resync, event.json());
                }
                JsonNode polled = http.get("/boards/board-1/updates?after=3&epoch=" + oldEpoch).json();
                assertEquals(0, polled.path("events").size(), polled.toString());
                assertEquals(resync, polled.path("resync"));

                // the same position with this database's epoch is replayed
                JsonNode replayed = http.get("/boards/board-1/updates?after=3&epoch=" + epoch).json();
                assertFalse(replayed.has("resync"), replayed.toString());
                assertEquals(2, replayed.path("events").size(), replayed.toString());
            }
        }
    }

    // ---- helpers

    /** A WebSocket viewer of one board that resumes from its position (with its epoch) on every connect. */
    private static final class Viewer implements AutoCloseable {
        private final TestServer server;
        private final String board;
        private final List<Long> seqs = new ArrayList<>();
        private WsClient socket;
        private long position;
        private String epoch;

        Viewer(TestServer server, String board) {
            this.server = server;
            this.board = board;
        }

        void connect() {
            socket = WsClient.connect(server);
            ObjectNode join = Json.MAPPER.createObjectNode().put("type", "join").put("boardId", board)
                    .put("since", position);
            if (epoch != null) {
                join.put("epoch", epoch);
            }
            socket.send(join.toString());
            JsonNode joined = socket.await(RestartResumeTest::isJoinedOrTrouble);
            assertEquals("joined", joined.path("type").asText(), joined.toString());
            epoch = epochOf(joined);
        }

        /** The server went away: the socket is closed. */
        void lost() {
            socket.awaitClose();
            socket.close();
        }

        void next() {
            JsonNode event = socket.await(RestartResumeTest::isBoardEventOrTrouble);
            assertTrue(EVENT_TYPES.contains(event.path("type").asText()), "WebSocket at " + position + " got " + event);
            long seq = event.path("seq").asLong();
            seqs.add(seq);
            assertEquals(position + 1, seq, "WebSocket: the event after " + position);
            position = seq;
        }

        void read(int events) {
            for (int i = 0; i < events; i++) {
                next();
            }
        }

        void readUntil(long seq) {
            while (position < seq) {
                next();
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.close();
            }
        }
    }

    /** An SSE client of one board that reconnects with the last id it got as {@code Last-Event-ID}. */
    private static final class Stream implements AutoCloseable {
        private final TestServer server;
        private final String board;
        private final List<Long> seqs = new ArrayList<>();
        private SseClient sse;
        private long position;
        private String lastId;
        private String epoch;

        Stream(TestServer server, String board) {
            this.server = server;
            this.board = board;
        }

        void connect() {
            sse = SseClient.open(server, "/boards/" + board + "/events",
                    lastId == null ? Map.of() : Map.of("Last-Event-ID", lastId));
            assertEquals(200, sse.status());
            epoch = epochOf(connectedOf(sse));
        }

        void lost() {
            sse.awaitEnd(Duration.ofSeconds(10));
            sse.close();
        }

        void next() {
            SseClient.Event event = nextEvent(sse);
            assertTrue(EVENT_TYPES.contains(event.event()), "SSE at " + position + " got " + event);
            long seq = event.json().path("seq").asLong();
            seqs.add(seq);
            assertEquals(position + 1, seq, "SSE: the event after " + position);
            assertEquals(epoch + "/" + seq, event.id());
            position = seq;
            lastId = event.id();
        }

        void read(int events) {
            for (int i = 0; i < events; i++) {
                next();
            }
        }

        void readUntil(long seq) {
            while (position < seq) {
                next();
            }
        }

        @Override
        public void close() {
            if (sse != null) {
                sse.close();
            }
        }
    }

    /** A short-polling client of one board: {@code updates?after=<position>&epoch=<epoch>}. */
    private static final class Poller {
        private final Http http;
        private final String board;
        private final List<Long> seqs = new ArrayList<>();
        private long position;
        private String epoch;

        Poller(Http http, String board) {
            this.http = http;
            this.board = board;
        }

        void step() {
            Http.Reply reply = http.get("/boards/" + board + "/updates?after=" + position
                    + (epoch == null ? "" : "&epoch=" + epoch));
            assertEquals(200, reply.status(), reply.body());
            JsonNode body = reply.json();
            assertFalse(body.has("resync"), body.toString());
            epoch = epochOf(body);
            for (JsonNode event : body.path("events")) {
                long seq = event.path("seq").asLong();
                seqs.add(seq);
                assertEquals(position + 1, seq, "polling: the event after " + position);
                position = seq;
            }
        }

        void catchUp(long seq) {
            while (position < seq) {
                step();
            }
        }
    }

    private static Path newDatabaseFile() throws IOException {
        return Files.createTempDirectory("liveboard-restart").resolve("liveboard.db");
    }

    /** The database file removed (with its WAL files): the path of a database reset. */
    private static Path deleted(Path db) throws IOException {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        return db;
    }

    private static long seqOf(Http http, String board) {
        return http.get("/boards/" + board).json().path("seq").asLong();
    }

    private static JsonNode connectedOf(SseClient sse) {
        sse.await(e -> e.retry() != null);
        SseClient.Event connected = sse.await(e -> !COMMENT.equals(e.event()));
        assertEquals("connected", connected.json().path("type").asText(), connected.toString());
        return connected.json();
    }

    private static SseClient.Event nextEvent(SseClient sse) {
        return sse.await(e -> !COMMENT.equals(e.event()));
    }

    private static boolean isBoardEventOrTrouble(JsonNode message) {
        String type = message.path("type").asText();
        return EVENT_TYPES.contains(type) || "resync".equals(type) || message.has("error");
    }

    private static boolean isJoinedOrTrouble(JsonNode message) {
        return "joined".equals(message.path("type").asText()) || isBoardEventOrTrouble(message);
    }

    private static String epochOf(JsonNode message) {
        String epoch = message.path("epoch").asText();
        assertTrue(EPOCH.matcher(epoch).matches(), "epoch of " + message);
        return epoch;
    }
}
