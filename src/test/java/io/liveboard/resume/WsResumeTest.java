package io.liveboard.resume;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import io.liveboard.support.Writers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming a WebSocket room from a sequence number (issue 4): {@code joined} tells where the client stands
 * ({@code seq}, {@code epoch}), a {@code join} with {@code since} replays what was missed and then goes on
 * live with nothing lost or doubled at the seam, even while four writers keep the board busy, and an
 * {@code ack} tells the sender the {@code seq} of the event it caused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsResumeTest extends ServerTest {

    private static final Set<String> EVENT_TYPES =
            Set.of("task_created", "task_updated", "task_moved", "task_deleted", "list_created");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-fA-F]{8}");

    @AfterEach
    void allSocketsGone() {
        Await.value("open WebSockets after the test", 0, () -> http.connections().path("websocket").asInt());
    }

    @Test
    void joinedCarriesTheBoardsSeqAndEpochAndOnlyLaterEventsFollow() {
        String board = http.newBoard("Joined seq");
        String list = http.firstListOf(board);
        for (int i = 1; i <= 3; i++) {
            http.createTask(list, "before the join " + i);
        }
        try (WsClient client = WsClient.connect(server)) {
            JsonNode joined = client.join(board);
            String epoch = epochOf(joined);
            assertEquals(object("type", "joined", "boardId", board, "viewers", 1, "seq", 3, "epoch", epoch), joined);
            client.assertNoneBeforePong(WsResumeTest::isBoardEvent);

            JsonNode task = http.createTask(list, "after the join");
            assertEquals(BoardEvents.event("task_created", board, 4, "task", task), client.await(WsResumeTest::isBoardEvent));
        }
    }

    @Test
    void theEpochIsTheSameForEveryBoardOfTheDatabase() {
        String board = http.newBoard("Epoch of a new board");
        try (WsClient client = WsClient.connect(server)) {
            String epoch = epochOf(client.join(board));
            assertEquals(epoch, epochOf(client.join("board-1")));
            assertEquals(epoch, epochOf(client.join("board-2")));
        }
    }

    @Test
    void joinWithSinceReplaysTheMissedEventsInOrderThenGoesOnLive() {
        String board = http.newBoard("Replay then live");
        List<JsonNode> expected = BoardEvents.everyKind(http, board);
        try (WsClient client = WsClient.connect(server)) {
            client.send(join(board, 2L, null));
            JsonNode joined = client.awaitType("joined");
            assertEquals(object("type", "joined", "boardId", board, "viewers", 1, "seq", 6, "epoch", epochOf(joined)),
                    joined);
            for (int seq = 3; seq <= 6; seq++) {
                assertEquals(expected.get(seq - 1), client.await(WsResumeTest::isBoardEventOrTrouble));
            }
            JsonNode task = http.createTask(http.firstListOf(board), "live after the replay");
            assertEquals(BoardEvents.event("task_created", board, 7, "task", task), client.await(WsResumeTest::isBoardEventOrTrouble));
            client.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }
    }

    @Test
    void joinWithSinceAndTheRightEpochResumesAndSinceAtTheEndReplaysNothing() {
        String board = http.newBoard("Since with epoch");
        List<JsonNode> expected = BoardEvents.everyKind(http, board);
        try (WsClient probe = WsClient.connect(server); WsClient atFour = WsClient.connect(server);
                WsClient atEnd = WsClient.connect(server)) {
            String epoch = epochOf(probe.join(board));

            atFour.send(join(board, 4L, epoch));
            assertEquals(6, atFour.awaitType("joined").path("seq").asLong());
            assertEquals(expected.get(4), atFour.await(WsResumeTest::isBoardEventOrTrouble));
            assertEquals(expected.get(5), atFour.await(WsResumeTest::isBoardEventOrTrouble));
            atFour.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);

            atEnd.send(join(board, 6L, epoch));
            assertEquals(6, atEnd.awaitType("joined").path("seq").asLong());
            atEnd.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }
    }

    @Test
    void replayedEventsAreTheSameJsonAsTheLiveBroadcastsOfThoseEvents() {
        String board = http.newBoard("Replay equals live");
        List<JsonNode> live = new ArrayList<>();
        try (WsClient watcher = WsClient.connect(server)) {
            watcher.join(board);
            List<JsonNode> made = BoardEvents.everyKind(http, board);
            for (int i = 0; i < made.size(); i++) {
                live.add(watcher.await(WsResumeTest::isBoardEventOrTrouble));
            }
            // the live broadcasts are the events as made (so the comparison below compares real content)
            assertEquals(made, live);
        }
        try (WsClient late = WsClient.connect(server)) {
            late.send(join(board, 0L, null));
            late.awaitType("joined");
            List<JsonNode> replayed = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                replayed.add(late.await(WsResumeTest::isBoardEventOrTrouble));
            }
            assertEquals(live, replayed);
            late.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }
    }

    @Test
    void ackCarriesTheBoardIdAndSeqOfTheEventTheCommandCaused() {
        String board = http.newBoard("Acks");
        String list = http.firstListOf(board);
        String done = http.get("/boards/" + board).json().path("lists").path(2).path("id").asText();
        try (WsClient commander = WsClient.connect(server); WsClient other = WsClient.connect(server)) {
            commander.join(board);
            other.join(board);

            commander.send("{\"type\":\"create_task\",\"listId\":\"" + list + "\",\"title\":\"acked\",\"ref\":\"r1\"}");
            JsonNode created = commander.awaitType("ack");
            JsonNode task = created.path("task");
            assertEquals(object("type", "ack", "ref", "r1", "boardId", board, "seq", 1, "task", task), created);
            assertEquals(BoardEvents.event("task_created", board, 1, "task", task), other.await(WsResumeTest::isBoardEvent));
            String taskId = task.path("id").asText();

            commander.send("{\"type\":\"update_task\",\"taskId\":\"" + taskId + "\",\"title\":\"acked again\",\"ref\":2}");
            JsonNode updated = commander.awaitType("ack");
            assertEquals(object("type", "ack", "ref", 2, "boardId", board, "seq", 2, "task", updated.path("task")),
                    updated);
            assertEquals(BoardEvents.event("task_updated", board, 2, "task", updated.path("task")),
                    other.await(WsResumeTest::isBoardEvent));

            commander.send("{\"type\":\"move_task\",\"taskId\":\"" + taskId + "\",\"listId\":\"" + done + "\"}");
            JsonNode moved = commander.awaitType("ack");
            assertEquals(object("type", "ack", "boardId", board, "seq", 3, "task", moved.path("task")), moved);
            assertEquals(BoardEvents.event("task_moved", board, 3, "task", moved.path("task")), other.await(WsResumeTest::isBoardEvent));

            commander.send("{\"type\":\"delete_task\",\"taskId\":\"" + taskId + "\",\"ref\":\"r4\"}");
            JsonNode deleted = commander.awaitType("ack");
            assertEquals(object("type", "ack", "ref", "r4", "boardId", board, "seq", 4, "taskId", taskId), deleted);
            assertEquals(BoardEvents.event("task_deleted", board, 4, "taskId", Json.MAPPER.valueToTree(taskId)),
                    other.await(WsResumeTest::isBoardEvent));

            // the sender got no broadcast of its own changes: its cursor comes from the acks alone
            commander.assertNoneBeforePong(WsResumeTest::isBoardEvent);
        }
        try (WsClient resumed = WsClient.connect(server)) {
            // resuming from the last ack replays nothing the sender already knows of
            resumed.send(join(board, 4L, null));
            assertEquals(4, resumed.awaitType("joined").path("seq").asLong());
            resumed.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }
    }

    @Test
    void joiningAgainWithSinceChangesNothingAndReplaysNothing() {
        String board = http.newBoard("Join twice");
        String list = http.firstListOf(board);
        for (int i = 1; i <= 3; i++) {
            http.createTask(list, "early " + i);
        }
        try (WsClient client = WsClient.connect(server)) {
            client.send(join(board, 0L, null));
            client.awaitType("joined");
            for (int seq = 1; seq <= 3; seq++) {
                assertEquals(seq, client.await(WsResumeTest::isBoardEventOrTrouble).path("seq").asLong());
            }

            client.send(join(board, 0L, null));
            JsonNode again = client.awaitType("joined");
            assertEquals(board, again.path("boardId").asText());
            assertEquals(1, again.path("viewers").asInt());
            client.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
            assertEquals(1, http.connections().path("boards").path(board).path("websocket").asInt());

            JsonNode task = http.createTask(list, "once only");
            assertEquals(BoardEvents.event("task_created", board, 4, "task", task), client.await(WsResumeTest::isBoardEventOrTrouble));
            client.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }
    }

    @Test
    void sinceThatIsNotANonNegativeIntegerIsAnErrorAndTheSocketStaysUsable() {
        String board = http.newBoard("Bad since");
        String list = http.firstListOf(board);
        http.createTask(list, "already there");
        try (WsClient client = WsClient.connect(server)) {
            for (String since : List.of("-1", "1.5", "\"abc\"", "\"1\"", "true", "{}", "[1]")) {
                client.send("{\"type\":\"join\",\"boardId\":\"" + board + "\",\"since\":" + since + "}");
                assertEquals(object("error", "since must be a non-negative integer"), client.awaitError(),
                        "since " + since);
                client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            }
            assertTrue(client.isOpen());
            // the refused joins did not put the socket in the room
            assertFalse(http.connections().path("boards").has(board));
            http.createTask(list, "while not joined");
            client.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);

            client.send(join(board, 0L, null));
            assertEquals(2, client.awaitType("joined").path("seq").asLong());
            assertEquals(1, client.await(WsResumeTest::isBoardEventOrTrouble).path("seq").asLong());
            assertEquals(2, client.await(WsResumeTest::isBoardEventOrTrouble).path("seq").asLong());
        }
    }

    /**
     * The seam under load: four writers create tasks without pause while viewers join live, join mid-stream
     * (with {@code since} 0, with the board's seq, a little behind it, or without {@code since}), two drop
     * and resume from where they left again and again, one leaves and resumes on the same socket, and one
     * leaves and joins without {@code since} again and again (each time, the event after {@code joined} must be
     * the next one). Once the writers stop, each has every event from where it started (its {@code since}, or
     * its {@code joined} seq) to the last, once and in order.
     */
    @Test
    void viewersJoiningAndResumingDuringConcurrentWritesGetEveryEventOnceInOrder() throws Exception {
        String board = http.newBoard("WS seam under load");
        List<Viewer> viewers = new ArrayList<>();
        try (Writers writers = new Writers(http, http.firstListOf(board))) {
            Viewer first = new Viewer(board, "live from the start");
            viewers.add(first);
            first.join(false);
            assertEquals(0, first.position);
            List<Viewer> hoppers = List.of(new Viewer(board, "drops and resumes"),
                    new Viewer(board, "drops and resumes too"));
            Viewer rejoiner = new Viewer(board, "leaves and resumes on the same socket");
            Viewer relive = new Viewer(board, "leaves and joins again without since");
            for (Viewer viewer : List.of(hoppers.get(0), hoppers.get(1), rejoiner, relive)) {
                viewers.add(viewer);
                viewer.join(true);
            }

            writers.start();
            writers.awaitMore(30);
            Viewer fromZero = new Viewer(board, "since 0 mid-stream");
            viewers.add(fromZero);
            fromZero.join(true);

            for (int round = 0; round < 6; round++) {
                for (Viewer hopper : hoppers) {
                    hopper.read(10 + 3 * round);
                    hopper.disconnect();
                }
                if (round % 2 == 0) {
                    writers.awaitMore(15);
                }
                for (Viewer hopper : hoppers) {
                    hopper.join(true);
                }
                rejoiner.read(5 + round);
                rejoiner.rejoin(true);
                for (int i = 0; i < 3; i++) {
                    relive.rejoin(false);
                    relive.read(2);
                }
                if (round < 3) {
                    // one more viewer joins mid-stream: without since, with the seq of GET /boards/{id} (the
                    // README's way to start without a cursor), or a little behind that
                    Viewer late = new Viewer(board, List.of("no since", "since the board's seq", "since 3 behind")
                            .get(round) + " mid-stream");
                    viewers.add(late);
                    if (round == 0) {
                        late.join(false);
                    } else {
                        late.position = Math.max(0, BoardEvents.seqOf(http, board) - (round == 1 ? 0 : 3));
                        late.join(true);
                    }
                }
            }
            writers.awaitMore(20);
            int created = writers.stop();

            long last = BoardEvents.seqOf(http, board);
            assertEquals(created, last, "one event per create");
            for (Viewer viewer : viewers) {
                viewer.readUntil(last);
                viewer.assertGotEveryEventFromItsStartTo(last);
            }
        } finally {
            // each client stops its own Jetty client, which takes a while: in parallel
            viewers.parallelStream().forEach(Viewer::close);
        }
    }

    // ---- helpers

    /** A WebSocket viewer of one board that keeps its position (the last seq it took) across reconnects. */
    private static final class Viewer implements AutoCloseable {
        private final String board;
        private final String name;
        private final List<Long> seqs = new ArrayList<>();
        private final List<String> joins = new ArrayList<>();
        private WsClient socket;
        private long position;
        private long start = -1;
        private String epoch;

        Viewer(String board, String name) {
            this.board = board;
            this.name = name;
        }

        /** Connects and joins, with {@code since} = its position (and its epoch once known) or without. */
        void join(boolean resume) {
            socket = WsClient.connect(server);
            sendJoin(resume);
        }

        /**
         * Leaves the board and joins it again on the same socket: resuming from its position, or without
         * {@code since} (then it goes on from the {@code joined} seq, and only that last stretch is checked
         * whole at the end; the earlier ones were checked event by event).
         */
        void rejoin(boolean resume) {
            socket.send("{\"type\":\"leave\",\"boardId\":\"" + board + "\"}");
            // events still on their way before "left" are dropped: a resume gets them again
            socket.await(m -> "left".equals(m.path("type").asText()) && board.equals(m.path("boardId").asText()));
            if (!resume) {
                seqs.clear();
                start = -1;
            }
            sendJoin(resume);
        }

        private void sendJoin(boolean resume) {
            socket.send(WsResumeTest.join(board, resume ? position : null, resume ? epoch : null));
            JsonNode joined = socket.await(m -> "joined".equals(m.path("type").asText()) || m.has("error"));
            assertEquals("joined", joined.path("type").asText(), name + ": " + joined);
            long boardSeq = BoardEvents.seqOf(http, board);
            long seq = joined.path("seq").asLong(-1);
            assertTrue(seq <= boardSeq, name + ": joined at " + seq + " beyond the board's " + boardSeq);
            String joinedEpoch = epochOf(joined);
            if (epoch != null) {
                assertEquals(epoch, joinedEpoch, name);
            }
            epoch = joinedEpoch;
            joins.add((resume ? "since " + position : "no since") + " -> joined at " + seq + " (board at " + boardSeq
                    + ")");
            if (resume) {
                assertTrue(seq >= position, name + ": joined at " + seq + " behind its since " + position);
            } else {
                position = seq;
            }
            if (start < 0) {
                start = position;
            }
        }

        void disconnect() {
            socket.close();
            socket = null;
        }

        /** Takes the next board event, which must be the one right after its position. */
        void next() {
            JsonNode message = socket.await(WsResumeTest::isBoardEventOrTrouble);
            assertTrue(isBoardEvent(message), name + ": at " + position + " got " + message);
            assertEquals(board, message.path("boardId").asText(), name);
            long seq = message.path("seq").asLong();
            seqs.add(seq);
            assertEquals(position + 1, seq, name + ": the event after " + position + "; last joins: "
                    + joins.subList(Math.max(0, joins.size() - 3), joins.size()));
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

        void assertGotEveryEventFromItsStartTo(long last) {
            assertEquals(LongStream.rangeClosed(start + 1, last).boxed().toList(), seqs, name);
            socket.assertNoneBeforePong(WsResumeTest::isBoardEventOrTrouble);
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.close();
            }
        }
    }

    private static String join(String board, Long since, String epoch) {
        ObjectNode join = Json.MAPPER.createObjectNode().put("type", "join").put("boardId", board);
        if (since != null) {
            join.put("since", since);
        }
        if (epoch != null) {
            join.put("epoch", epoch);
        }
        return join.toString();
    }

    private static String epochOf(JsonNode message) {
        String epoch = message.path("epoch").asText();
        assertTrue(EPOCH.matcher(epoch).matches(), "epoch of " + message);
        return epoch;
    }

    private static boolean isBoardEvent(JsonNode message) {
        return EVENT_TYPES.contains(message.path("type").asText());
    }

    /** A board event, or what must not come instead of one: a resync or an error. */
    private static boolean isBoardEventOrTrouble(JsonNode message) {
        return isBoardEvent(message) || "resync".equals(message.path("type").asText()) || message.has("error");
    }
}
