package io.liveboard.idempotency;

import static io.liveboard.idempotency.Keys.REPLAYED;
import static io.liveboard.idempotency.Keys.SEQ;
import static io.liveboard.idempotency.Keys.keyed;
import static io.liveboard.idempotency.Keys.seq;
import static io.liveboard.idempotency.Keys.titles;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSocket commands with an {@code idempotencyKey}: a retry (on the same socket, a new one, or over REST) gets
 * the first result's {@code ack} again with its own {@code ref} and {@code "replayed":true}, and the room no second
 * broadcast; a key first used over REST is the same key over the WebSocket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsIdempotencyTest extends ServerTest {

    @Test
    void aCreateRetriedOnANewSocketGetsTheFirstAckAgainAndTheRoomOneBroadcast() {
        String board = http.newBoard("Socket retry");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        try (WsClient watcher = WsClient.connect(server)) {
            watcher.join(board);
            JsonNode ack;
            try (WsClient first = WsClient.connect(server)) {
                first.join(board);
                first.send(command("type", "create_task", "listId", list, "title", "Lost ack", "ref", 1,
                        "idempotencyKey", key));
                ack = first.awaitType("ack");
            }
            JsonNode task = ack.path("task");
            assertEquals(object("type", "ack", "ref", 1, "boardId", board, "seq", 1, "task", task), ack);

            // the answer was lost with the connection: the client sends it again from a new socket
            try (WsClient retry = WsClient.connect(server)) {
                retry.send(command("type", "create_task", "listId", list, "title", "Lost ack", "ref", "again",
                        "idempotencyKey", key));
                JsonNode replayed = retry.awaitType("ack");
                assertEquals(object("type", "ack", "ref", "again", "boardId", board, "seq", 1, "task", task,
                        "replayed", true), replayed);
            }
            assertEquals(List.of("Lost ack"), titles(http, board));
            assertEquals(1, seq(http, board));
            JsonNode marker = http.createTask(list, "marker");
            assertEquals(task, watcher.awaitType("task_created").path("task"));
            JsonNode next = watcher.awaitType("task_created");
            assertEquals(object("seq", 2, "task", marker), object("seq", next.path("seq"), "task", next.path("task")),
                    "the watcher's next broadcast is the marker's: the retry caused none");
        }
    }

    @Test
    void aCommandFirstSentOverTheSocketAndRetriedOverRestIsAppliedOnce() {
        String board = http.newBoard("Socket then REST");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        JsonNode ack;
        try (WsClient socket = WsClient.connect(server)) {
            socket.send(command("type", "create_task", "listId", list, "title", "Fell back", "description", "to REST",
                    "ref", 7, "idempotencyKey", key));
            ack = socket.awaitType("ack");
        }
        Http.Reply retry = keyed(http, "POST", "/tasks",
                Json.write(Map.of("title", "Fell back", "listId", list, "description", "to REST")), key);
        assertEquals(201, retry.status(), retry.body());
        assertEquals("true", retry.header(REPLAYED));
        assertEquals(ack.path("seq").asText(), retry.header(SEQ));
        assertEquals(ack.path("task"), retry.json());
        assertEquals(List.of("Fell back"), titles(http, board));
        assertEquals(1, seq(http, board));
    }

    @Test
    void aCommandFirstSentOverRestAndRetriedOverTheSocketIsAppliedOnce() {
        String board = http.newBoard("REST then socket");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        Http.Reply first = keyed(http, "POST", "/tasks", Json.write(Map.of("listId", list, "title", "Went up")), key);
        assertEquals(201, first.status(), first.body());
        try (WsClient socket = WsClient.connect(server)) {
            socket.send(command("type", "create_task", "listId", list, "title", "Went up", "idempotencyKey", key));
            JsonNode ack = socket.awaitType("ack");
            assertEquals(object("type", "ack", "boardId", board, "seq", 1, "task", first.json(), "replayed", true),
                    ack);
        }
        assertEquals(List.of("Went up"), titles(http, board));
        assertEquals(1, seq(http, board));
    }

    @Test
    void anUpdateAMoveAndADeleteRetriedOverTheSocketAreAppliedOnce() {
        String board = http.newBoard("Socket changes");
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        String todo = lists.path(0).path("id").asText();
        String doing = lists.path(1).path("id").asText();
        String taskId = http.createTask(todo, "Worked on").path("id").asText();
        try (WsClient socket = WsClient.connect(server)) {
            List<Map<String, Object>> commands = List.of(
                    fields("type", "update_task", "taskId", taskId, "description", "now with words"),
                    fields("type", "move_task", "taskId", taskId, "listId", doing),
                    fields("type", "delete_task", "taskId", taskId));
            long seq = 1;
            for (Map<String, Object> command : commands) {
                seq++;
                String key = Keys.fresh();
                command.put("idempotencyKey", key);
                command.put("ref", "first");
                socket.send(Json.write(command));
                ObjectNode ack = (ObjectNode) socket.awaitType("ack");
                assertEquals(seq, ack.path("seq").asLong(), ack.toString());
                command.put("ref", "retry");
                socket.send(Json.write(command));
                JsonNode replayed = socket.awaitType("ack");
                ack.put("ref", "retry");
                ack.put("replayed", true);
                assertEquals(ack, replayed, command.get("type") + " retried");
                assertEquals(seq, seq(http, board), command.get("type") + " retried caused no event");
            }
        }
        assertEquals(List.of(), titles(http, board));
    }

    @Test
    void aMalformedOrReusedKeyIsRefusedWithTheCommandsRef() {
        String board = http.newBoard("Socket bad keys");
        String list = http.firstListOf(board);
        try (WsClient socket = WsClient.connect(server)) {
            List<Object> bad = List.of("", "k".repeat(201), "two words", "caf\u00e9", 42, true, Map.of("k", "v"),
                    List.of("k"));
            int ref = 0;
            for (Object key : bad) {
                socket.send(command("type", "create_task", "listId", list, "title", "Never", "ref", ++ref,
                        "idempotencyKey", key));
                assertEquals(object("error", "idempotencyKey must be 1-200 printable ASCII characters", "ref", ref),
                        socket.awaitError(), "key " + Json.write(key));
            }
            assertEquals(List.of(), titles(http, board));

            String key = Keys.fresh();
            socket.send(command("type", "create_task", "listId", list, "title", "A", "idempotencyKey", key));
            socket.awaitType("ack");
            socket.send(command("type", "create_task", "listId", list, "title", "B", "ref", "b",
                    "idempotencyKey", key));
            assertEquals(object("error", "idempotencyKey was already used for a different request", "ref", "b"),
                    socket.awaitError());
            socket.send(command("type", "create_task", "listId", list, "title", "No key", "idempotencyKey", null));
            assertFalse(socket.awaitType("ack").has("replayed"), "a null key is no key");
        }
        assertEquals(List.of("A", "No key"), titles(http, board));
    }

    private static String command(Object... namesAndValues) {
        return Json.write(fields(namesAndValues));
    }

    private static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }
}
