package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REST: every kind of bad request gets its status and {@code {"error": …}} message, and changes nothing:
 * board-1 (with its fixture task and event {@code seq}) reads the same before and after.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest extends ServerTest {

    static String taskId;
    static String otherBoardTaskId;

    @BeforeAll
    static void fixtures() {
        Http.Reply task = http.post("/tasks",
                "{\"title\":\"Fixture\",\"listId\":\"list-todo\",\"description\":\"d\",\"assigneeId\":\"user-1\"}");
        assertEquals(201, task.status(), task.body());
        taskId = task.json().path("id").asText();
        Http.Reply other = http.post("/tasks", "{\"title\":\"Elsewhere\",\"listId\":\"list-2-todo\"}");
        assertEquals(201, other.status(), other.body());
        otherBoardTaskId = other.json().path("id").asText();
    }

    @Test
    void malformedJsonIs400InvalidJson() {
        assertRejected(400, "Invalid JSON", () -> http.post("/tasks", "{\"title\":\"x\",\"listId\":"));
        assertRejected(400, "Invalid JSON", () -> http.patch("/tasks/" + taskId, "{title: 'x'}"));
    }

    @Test
    void jsonArrayBodyIs400() {
        assertRejected(400, "Request body must be a JSON object",
                () -> http.post("/tasks", "[{\"title\":\"x\",\"listId\":\"list-todo\"}]"));
    }

    @Test
    void jsonFollowedByMoreContentIs400() {
        assertRejected(400, "Invalid JSON",
                () -> http.post("/tasks", "{\"title\":\"x\",\"listId\":\"list-todo\"} trailing"));
        assertRejected(400, "Invalid JSON",
                () -> http.post("/tasks", "{\"title\":\"x\",\"listId\":\"list-todo\",\"title\":\"y\"}"));
        assertRejected(400, "Invalid JSON", () -> http.post("/tasks", "   "));
    }

    @Test
    void emptyBodyIs400() {
        assertRejected(400, "Request body must be a JSON object", () -> http.post("/tasks", ""));
        assertRejected(400, "Request body must be a JSON object", () -> http.send("POST", "/tasks", null, null));
        assertRejected(400, "Request body must be a JSON object", () -> http.patch("/tasks/" + taskId, ""));
    }

    @Test
    void missingTitleIs400() {
        assertRejected(400, "title is required", () -> http.post("/tasks", "{\"listId\":\"list-todo\"}"));
        assertRejected(400, "title is required",
                () -> http.post("/tasks", "{\"title\":null,\"listId\":\"list-todo\"}"));
    }

    @Test
    void blankTitleIs400() {
        assertRejected(400, "title is required",
                () -> http.post("/tasks", "{\"title\":\"   \",\"listId\":\"list-todo\"}"));
        assertRejected(400, "title is required", () -> http.patch("/tasks/" + taskId, "{\"title\":\" \\n \"}"));
    }

    @Test
    void titleOf501CharactersIs400() {
        String title = "x".repeat(501);
        assertRejected(400, "title must be at most 500 characters",
                () -> http.post("/tasks", "{\"title\":\"" + title + "\",\"listId\":\"list-todo\"}"));
        assertRejected(400, "title must be at most 500 characters",
                () -> http.patch("/tasks/" + taskId, "{\"title\":\"" + title + "\"}"));
    }

    @Test
    void titleOf500CharactersIsAccepted() {
        String title = "y".repeat(500);

        Http.Reply reply = http.post("/tasks", "{\"title\":\"" + title + "\",\"listId\":\"list-2-doing\"}");

        assertEquals(201, reply.status(), reply.body());
        assertEquals(title, reply.json().path("title").asText());
        assertEquals(title, http.get("/tasks/" + reply.json().path("id").asText()).json().path("title").asText());
    }

    @Test
    void titleAsANumberIs400() {
        assertRejected(400, "title must be a string",
                () -> http.post("/tasks", "{\"title\":42,\"listId\":\"list-todo\"}"));
        assertRejected(400, "title must be a string", () -> http.patch("/tasks/" + taskId, "{\"title\":42}"));
    }

    @Test
    void unknownListIs404() {
        assertRejected(404, "List not found: list-nope",
                () -> http.post("/tasks", "{\"title\":\"x\",\"listId\":\"list-nope\"}"));
        assertRejected(404, "List not found: list-nope",
                () -> http.patch("/tasks/" + taskId + "/move", "{\"listId\":\"list-nope\",\"position\":0}"));
    }

    @Test
    void unknownTaskIs404OnGetPatchMoveAndDelete() {
        assertRejected(404, "Task not found: task-nope", () -> http.get("/tasks/task-nope"));
        assertRejected(404, "Task not found: task-nope", () -> http.patch("/tasks/task-nope", "{\"title\":\"x\"}"));
        assertRejected(404, "Task not found: task-nope",
                () -> http.patch("/tasks/task-nope/move", "{\"listId\":\"list-todo\"}"));
        assertRejected(404, "Task not found: task-nope", () -> http.delete("/tasks/task-nope"));
    }

    @Test
    void bodyOver64KiBIs413() {
        String big = Json.write(Map.of("title", "big", "listId", "list-todo", "description", "z".repeat(70_000)));

        assertRejected(413, "Request body is larger than 65536 bytes", () -> http.post("/tasks", big));
    }

    @Test
    void chunkedBodyOver64KiBIs413() {
        byte[] big = Json.write(Map.of("title", "big", "listId", "list-todo", "description", "z".repeat(70_000)))
                .getBytes(StandardCharsets.UTF_8);

        assertRejected(413, "Request body is larger than 65536 bytes", () -> {
            // an InputStream publisher has no known length: the body is sent chunked, without Content-Length
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.http("/tasks")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
            try {
                HttpResponse<String> response = http.client().send(request, HttpResponse.BodyHandlers.ofString());
                return new Http.Reply(response.statusCode(), Json.parse(response.body()), response.body(), response);
            } catch (Exception e) {
                throw new AssertionError("chunked POST failed", e);
            }
        });
    }

    @Test
    void negativePositionIs400() {
        assertRejected(400, "position must be 0 or more",
                () -> http.patch("/tasks/" + taskId + "/move", "{\"listId\":\"list-doing\",\"position\":-1}"));
    }

    @Test
    void nonIntegerPositionIs400() {
        for (String position : new String[] {"1.5", "\"1\"", "true", "3000000000"}) {
            assertRejected(400, "position must be a whole number", () -> http.patch("/tasks/" + taskId + "/move",
                    "{\"listId\":\"list-doing\",\"position\":" + position + "}"));
        }
    }

    @Test
    void moveToAListOfAnotherBoardIs400() {
        assertRejected(400, "List list-2-todo is on another board than task " + taskId,
                () -> http.patch("/tasks/" + taskId + "/move", "{\"listId\":\"list-2-todo\",\"position\":0}"));
        JsonNode other = http.get("/tasks/" + otherBoardTaskId).json();
        assertRejected(400, "List list-doing is on another board than task " + otherBoardTaskId,
                () -> http.patch("/tasks/" + otherBoardTaskId + "/move", "{\"listId\":\"list-doing\"}"));
        assertEquals(other, http.get("/tasks/" + otherBoardTaskId).json());
    }

    @Test
    void patchWithNoKnownFieldIs400() {
        assertRejected(400, "Nothing to update: give title, description or assigneeId",
                () -> http.patch("/tasks/" + taskId, "{\"color\":\"red\",\"position\":3}"));
        assertRejected(400, "Nothing to update: give title, description or assigneeId",
                () -> http.patch("/tasks/" + taskId, "{}"));
    }

    @Test
    void putOnTasksIs405AllowingPost() {
        Http.Reply reply = assertRejected(405, "Method PUT is not allowed on /tasks",
                () -> http.send("PUT", "/tasks", "{\"title\":\"x\",\"listId\":\"list-todo\"}", null));

        // issue 9, item 10: a 405 lists OPTIONS too (and HEAD where GET is allowed)
        assertEquals(Set.of("POST", "OPTIONS"), Requests.items(reply.header("Allow")), reply.header("Allow"));
    }

    @Test
    void deleteOnBoardsIs405AllowingGetAndPost() {
        Http.Reply reply = assertRejected(405, "Method DELETE is not allowed on /boards", () -> http.delete("/boards"));

        assertEquals(Set.of("GET", "HEAD", "POST", "OPTIONS"), Requests.items(reply.header("Allow")),
                reply.header("Allow"));
        assertEquals(200, http.get("/boards/board-2").status(), "no board is deleted");
    }

    @Test
    void unknownPathIsJson404() {
        Http.Reply reply = assertRejected(404, "Not found: /nope", () -> http.get("/nope"));

        assertEquals("application/json", reply.header("Content-Type"));
    }

    @Test
    void badSinceOnUpdatesIs400() {
        assertRejected(400, "since must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
                () -> http.get("/boards/board-1/updates?since=yesterday"));
        assertRejected(400, "since must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
                () -> http.get("/boards/board-1/updates?since=2026-01-31"));
    }

    @Test
    void serverKeepsServingAfterBadRequests() {
        int first = number(create("Before the storm"));
        http.post("/tasks", "{\"title\":");
        http.post("/tasks", Json.write(Map.of("title", "big", "listId", "list-2-todo", "description",
                "z".repeat(70_000))));
        http.post("/tasks", "{\"title\":\"x\",\"listId\":\"list-nope\"}");
        http.post("/tasks", "{\"title\":\"x\",\"listId\":\"list-2-todo\",\"assigneeId\":\"user-99\"}");
        http.send("PUT", "/tasks", "{}", null);
        http.get("/nope");

        assertEquals("{\"status\":\"ok\"}", http.get("/healthz").json().toString());
        JsonNode after = create("After the storm");
        assertEquals(first + 1, number(after), "rejected requests must not use up ids");
        assertEquals(after, http.get("/tasks/" + after.path("id").asText()).json());
        assertEquals(204, http.delete("/tasks/" + after.path("id").asText()).status());
    }

    /** Sends the bad request, checks its status and exact error body, and that board-1 did not change. */
    private static Http.Reply assertRejected(int status, String message, Supplier<Http.Reply> request) {
        JsonNode before = http.get("/boards/board-1").json();
        JsonNode task = http.get("/tasks/" + taskId).json();

        Http.Reply reply = request.get();

        assertEquals(status, reply.status(), reply.body());
        assertEquals(Json.MAPPER.createObjectNode().put("error", message), reply.json());
        assertEquals(before, http.get("/boards/board-1").json(), "board-1 must not change");
        assertEquals(task, http.get("/tasks/" + taskId).json(), "the fixture task must not change");
        assertTrue(before.path("seq").asLong() >= 1, "board-1 has the fixture's event");
        return reply;
    }

    private static JsonNode create(String title) {
        Http.Reply reply = http.post("/tasks", "{\"title\":\"" + title + "\",\"listId\":\"list-2-done\"}");
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    private static int number(JsonNode task) {
        String id = task.path("id").asText();
        assertTrue(id.matches("task-\\d+"), id);
        return Integer.parseInt(id.substring("task-".length()));
    }
}
