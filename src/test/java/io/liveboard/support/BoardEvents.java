package io.liveboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import java.util.List;

/** Board events as tests make and expect them. */
public final class BoardEvents {

    private BoardEvents() {
    }

    /**
     * A board event as the server broadcasts it: type, boardId, seq and one payload field; {@code seq} is an int
     * node when it fits, as parsed JSON has it, so that the two compare equal.
     */
    public static JsonNode event(String type, String board, long seq, String field, JsonNode value) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("type", type).put("boardId", board);
        if (seq == (int) seq) {
            node.put("seq", (int) seq);
        } else {
            node.put("seq", seq);
        }
        node.set(field, value);
        return node;
    }

    /** The board's last event number, from {@code GET /boards/{id}}. */
    public static long seqOf(Http http, String board) {
        Http.Reply reply = http.get("/boards/" + board);
        assertEquals(200, reply.status(), reply.body());
        return reply.json().path("seq").asLong();
    }

    /**
     * Makes one event of every kind on the board (which has none yet) over REST and returns them as the
     * broadcasts should read, seq 1 to 6: two creates, an update, a move, a delete and a new list.
     */
    public static List<JsonNode> everyKind(Http http, String board) {
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        String todo = lists.path(0).path("id").asText();
        String doing = lists.path(1).path("id").asText();
        JsonNode first = http.createTask(todo, "first");
        JsonNode second = http.createTask(todo, "second");
        Http.Reply updated = http.patch("/tasks/" + first.path("id").asText(), "{\"description\":\"more\"}");
        assertEquals(200, updated.status(), updated.body());
        Http.Reply moved = http.patch("/tasks/" + first.path("id").asText() + "/move", "{\"listId\":\"" + doing + "\"}");
        assertEquals(200, moved.status(), moved.body());
        assertEquals(204, http.delete("/tasks/" + second.path("id").asText()).status());
        Http.Reply list = http.post("/boards/" + board + "/lists", "{\"name\":\"Review\"}");
        assertEquals(201, list.status(), list.body());
        assertEquals(6, seqOf(http, board));
        return List.of(event("task_created", board, 1, "task", first), event("task_created", board, 2, "task", second),
                event("task_updated", board, 3, "task", updated.json()), event("task_moved", board, 4, "task", moved.json()),
                event("task_deleted", board, 5, "taskId", second.path("id")),
                event("list_created", board, 6, "list", list.json()));
    }
}
