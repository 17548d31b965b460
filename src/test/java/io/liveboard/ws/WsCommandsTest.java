package io.liveboard.ws;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed's Exercise 2: task commands over the WebSocket. The sender gets an {@code ack} carrying its
 * {@code ref} and not the broadcast; the rest of the room gets the broadcast. Each test uses a new board
 * so that its events are numbered from 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsCommandsTest extends ServerTest {

    private static final Predicate<JsonNode> TASK_EVENT = m -> m.path("type").asText().startsWith("task_");

    /** A new board with two sockets in its room: the one sending commands and another member. */
    record Room(String boardId, String todo, String doing, WsClient sender, WsClient other) implements AutoCloseable {
        static Room open(String name) {
            Http.Reply board = http.post("/boards", Json.write(Map.of("name", name)));
            assertEquals(201, board.status(), board.body());
            String boardId = board.json().path("id").asText();
            JsonNode lists = http.get("/boards/" + boardId).json().path("lists");
            WsClient sender = WsClient.connect(server);
            WsClient other = WsClient.connect(server);
            sender.join(boardId);
            other.join(boardId);
            sender.awaitType("user_joined");
            return new Room(boardId, lists.path(0).path("id").asText(), lists.path(1).path("id").asText(), sender, other);
        }

        JsonNode snapshot() {
            Http.Reply reply = http.get("/boards/" + boardId);
            assertEquals(200, reply.status(), reply.body());
            return reply.json();
        }

        /** Creates a task over REST (no socket id: both members get it) and drains its broadcast from both. */
        JsonNode restTask(String title) {
            Http.Reply reply = http.post("/tasks", Json.write(Map.of("listId", todo, "title", title)));
            assertEquals(201, reply.status(), reply.body());
            sender.awaitType("task_created");
            other.awaitType("task_created");
            return reply.json();
        }

        @Override
        public void close() {
            sender.close();
            other.close();
        }
    }

    @Test
    void createTaskAcksTheSenderWithTheTaskAndBroadcastsToTheOthersOnly() {
        try (Room room = Room.open("Create")) {
            Instant before = Instant.now().minusSeconds(1);
            room.sender().send(command("type", "create_task", "listId", room.todo(), "title", "  Write the tests  ",
                    "description", "over the socket", "assigneeId", "user-1", "ref", "c-1"));

            JsonNode ack = nextAck(room.sender());
            JsonNode task = ack.path("task");
            assertEquals(List.of("type", "ref", "boardId", "seq", "task"), fieldNames(ack));
            assertEquals(room.boardId(), ack.path("boardId").asText());
            assertEquals("c-1", ack.path("ref").textValue());
            assertEquals(http.get("/tasks/" + task.path("id").asText()).json(), task);
            assertEquals(room.boardId(), task.path("boardId").asText());
            assertEquals(room.todo(), task.path("listId").asText());
            assertEquals("Write the tests", task.path("title").asText());
            assertEquals("over the socket", task.path("description").asText());
            assertEquals("user-1", task.path("assigneeId").asText());
            assertEquals(0, task.path("position").asInt());
            assertTrue(Instant.parse(task.path("createdAt").asText()).isAfter(before));
            assertEquals(task.path("createdAt"), task.path("updatedAt"));

            assertEquals(event("task_created", room.boardId(), 1, "task", task), room.other().awaitType("task_created"));
            assertEquals(1, ack.path("seq").asInt(), "the ack tells the sender the number of the event it caused");
            room.sender().assertNoneBeforePong(TASK_EVENT);
            assertEquals(1, room.snapshot().path("seq").asInt());
        }
    }

    @Test
    void updateTaskAcksTheUpdatedTaskAndBroadcastsTaskUpdated() {
        try (Room room = Room.open("Update")) {
            JsonNode created = room.restTask("Draft");

            room.sender().send(command("type", "update_task", "taskId", created.path("id").asText(),
                    "title", "Final", "description", "done right", "ref", "u-1"));

            JsonNode ack = nextAck(room.sender());
            JsonNode task = ack.path("task");
            assertEquals(List.of("type", "ref", "boardId", "seq", "task"), fieldNames(ack));
            assertEquals(room.boardId(), ack.path("boardId").asText());
            assertEquals("u-1", ack.path("ref").textValue());
            ObjectNode expected = created.deepCopy();
            expected.put("title", "Final").put("description", "done right").set("updatedAt", task.path("updatedAt"));
            assertEquals(expected, task);
            assertFalse(Instant.parse(task.path("updatedAt").asText())
                    .isBefore(Instant.parse(created.path("updatedAt").asText())));
            assertEquals(http.get("/tasks/" + created.path("id").asText()).json(), task);

            assertEquals(event("task_updated", room.boardId(), 2, "task", task), room.other().awaitType("task_updated"));
            room.sender().assertNoneBeforePong(TASK_EVENT);
        }
    }

    @Test
    void moveTaskAcksTheMovedTaskAndBroadcastsTaskMoved() {
        try (Room room = Room.open("Move")) {
            JsonNode first = room.restTask("first");
            JsonNode second = room.restTask("second");

            room.sender().send(command("type", "move_task", "taskId", first.path("id").asText(),
                    "listId", room.doing(), "position", 0, "ref", "m-1"));

            JsonNode ack = nextAck(room.sender());
            JsonNode task = ack.path("task");
            assertEquals(List.of("type", "ref", "boardId", "seq", "task"), fieldNames(ack));
            assertEquals(room.boardId(), ack.path("boardId").asText());
            assertEquals("m-1", ack.path("ref").textValue());
            assertEquals(first.path("id"), task.path("id"));
            assertEquals(room.doing(), task.path("listId").asText());
            assertEquals(0, task.path("position").asInt());
            assertEquals("first", task.path("title").asText());

            assertEquals(event("task_moved", room.boardId(), 3, "task", task), room.other().awaitType("task_moved"));
            room.sender().assertNoneBeforePong(TASK_EVENT);

            JsonNode lists = room.snapshot().path("lists");
            assertEquals(List.of(second.path("id").asText()), taskIds(lists.path(0)));
            assertEquals(0, lists.path(0).path("tasks").path(0).path("position").asInt());
            assertEquals(List.of(first.path("id").asText()), taskIds(lists.path(1)));
        }
    }

    @Test
    void deleteTaskAcksTheTaskIdAndBroadcastsTaskDeleted() {
        try (Room room = Room.open("Delete")) {
            String taskId = room.restTask("doomed").path("id").asText();

            room.sender().send(command("type", "delete_task", "taskId", taskId, "ref", "d-1"));

            assertEquals(object("type", "ack", "ref", "d-1", "boardId", room.boardId(), "seq", 2, "taskId", taskId),
                    room.sender().await(m -> true));
            assertEquals(object("type", "task_deleted", "boardId", room.boardId(), "seq", 2, "taskId", taskId),
                    room.other().awaitType("task_deleted"));
            room.sender().assertNoneBeforePong(TASK_EVENT);
            Http.Reply gone = http.get("/tasks/" + taskId);
            assertEquals(404, gone.status());
            assertEquals(object("error", "Task not found: " + taskId), gone.json());
        }
    }

    @Test
    void theRoomSeesASendersCommandsInOrderWithGaplessSeq() {
        try (Room room = Room.open("Sequence")) {
            room.sender().send(command("type", "create_task", "listId", room.todo(), "title", "one", "ref", "s-1"));
            String taskId = nextAck(room.sender()).path("task").path("id").asText();
            room.sender().send(command("type", "update_task", "taskId", taskId, "title", "two", "ref", "s-2"));
            room.sender().send(command("type", "move_task", "taskId", taskId, "listId", room.doing(), "ref", "s-3"));
            room.sender().send(command("type", "delete_task", "taskId", taskId, "ref", "s-4"));

            for (String ref : List.of("s-2", "s-3", "s-4")) {
                assertEquals(ref, nextAck(room.sender()).path("ref").asText());
            }
            List<String> types = List.of("task_created", "task_updated", "task_moved", "task_deleted");
            for (int i = 0; i < types.size(); i++) {
                JsonNode event = room.other().await(TASK_EVENT);
                assertEquals(types.get(i), event.path("type").asText(), event.toString());
                assertEquals(i + 1, event.path("seq").asInt(), event.toString());
                assertEquals(room.boardId(), event.path("boardId").asText());
            }
            room.sender().assertNoneBeforePong(TASK_EVENT);
            assertEquals(4, room.snapshot().path("seq").asInt());
        }
    }

    static Stream<Arguments> refusedCommands() {
        return Stream.of(
                argumentSet("create_task with an unknown listId",
                        Map.of("type", "create_task", "listId", "list-nope", "title", "x"), "List not found: list-nope"),
                argumentSet("create_task without a title",
                        Map.of("type", "create_task", "listId", "@todo"), "title is required"),
                argumentSet("create_task with a blank title",
                        Map.of("type", "create_task", "listId", "@todo", "title", "   "), "title is required"),
                argumentSet("create_task with a title over 500 characters",
                        Map.of("type", "create_task", "listId", "@todo", "title", "t".repeat(501)),
                        "title must be at most 500 characters"),
                argumentSet("update_task of an unknown taskId",
                        Map.of("type", "update_task", "taskId", "task-nope", "title", "x"), "Task not found: task-nope"),
                argumentSet("move_task of an unknown taskId",
                        Map.of("type", "move_task", "taskId", "task-nope", "listId", "@todo"), "Task not found: task-nope"),
                argumentSet("move_task to an unknown listId",
                        Map.of("type", "move_task", "taskId", "@task", "listId", "list-nope"), "List not found: list-nope"),
                argumentSet("delete_task of an unknown taskId",
                        Map.of("type", "delete_task", "taskId", "task-nope"), "Task not found: task-nope"),
                argumentSet("delete_task without a taskId",
                        Map.of("type", "delete_task"), "taskId is required"));
    }

    @ParameterizedTest
    @MethodSource("refusedCommands")
    void refusedCommandAnswersItsErrorWithTheRefAndChangesNothing(Map<String, Object> fields, String error) {
        try (Room room = Room.open("Refused")) {
            String existing = room.restTask("existing").path("id").asText();
            JsonNode before = room.snapshot();
            Map<String, Object> message = new LinkedHashMap<>();
            fields.forEach((name, value) -> message.put(name,
                    "@todo".equals(value) ? room.todo() : "@task".equals(value) ? existing : value));
            message.put("ref", "e-1");

            room.sender().send(Json.write(message));

            assertEquals(object("error", error, "ref", "e-1"), room.sender().await(m -> true));
            room.other().assertNoneBeforePong(TASK_EVENT);
            room.sender().assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            assertEquals(before, room.snapshot());
        }
    }

    @Test
    void restChangeWithSocketIdSparesThatSocketAndReachesTheOthers() {
        try (Room room = Room.open("X-Socket-Id")) {
            Http.Reply created = http.send("POST", "/tasks",
                    Json.write(Map.of("listId", room.todo(), "title", "from the sender's tab")),
                    room.sender().socketId());
            assertEquals(201, created.status(), created.body());

            assertEquals(event("task_created", room.boardId(), 1, "task", created.json()),
                    room.other().awaitType("task_created"));
            room.sender().assertNoneBeforePong(TASK_EVENT);

            Http.Reply updated = http.send("PATCH", "/tasks/" + created.json().path("id").asText(),
                    Json.write(Map.of("title", "from the other tab")), room.other().socketId());
            assertEquals(200, updated.status(), updated.body());

            assertEquals(event("task_updated", room.boardId(), 2, "task", updated.json()),
                    room.sender().awaitType("task_updated"));
            room.other().assertNoneBeforePong(TASK_EVENT);
        }
    }

    @Test
    void numericRefIsEchoedAsANumberInAcksAndErrors() {
        try (Room room = Room.open("Numeric ref")) {
            room.sender().send(command("type", "create_task", "listId", room.todo(), "title", "numbered", "ref", 42));

            JsonNode ack = nextAck(room.sender());
            assertTrue(ack.path("ref").isIntegralNumber(), ack.toString());
            assertEquals(42, ack.path("ref").intValue());
            assertEquals(event("task_created", room.boardId(), 1, "task", ack.path("task")),
                    room.other().awaitType("task_created"));

            room.sender().send(command("type", "delete_task", "taskId", "task-nope", "ref", 43));

            JsonNode error = room.sender().awaitError();
            assertTrue(error.path("ref").isIntegralNumber(), error.toString());
            assertEquals(object("error", "Task not found: task-nope", "ref", 43), error);
        }
    }

    // helpers

    /** The sender's very next message, which must be its ack: nothing (such as its own broadcast) comes first. */
    private static JsonNode nextAck(WsClient sender) {
        JsonNode reply = sender.await(m -> true);
        assertEquals("ack", reply.path("type").asText(), reply.toString());
        return reply;
    }

    private static String command(Object... namesAndValues) {
        return object(namesAndValues).toString();
    }

    private static JsonNode event(String type, String boardId, int seq, String field, JsonNode value) {
        ObjectNode node = (ObjectNode) object("type", type, "boardId", boardId, "seq", seq);
        node.set(field, value);
        return node;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> taskIds(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("tasks").forEach(task -> ids.add(task.path("id").asText()));
        return ids;
    }
}
