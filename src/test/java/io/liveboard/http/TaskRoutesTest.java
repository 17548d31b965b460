package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** REST: creating, reading, editing, moving and deleting tasks. Each test works on a board of its own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskRoutesTest extends ServerTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
    private static final Set<String> TASK_FIELDS = Set.of("id", "boardId", "listId", "title", "description",
            "assigneeId", "position", "createdAt", "updatedAt");

    private String boardId;
    private String todo;
    private String doing;

    @BeforeEach
    void newBoard() {
        Http.Reply created = http.post("/boards", "{\"name\":\"Tasks\"}");
        assertEquals(201, created.status(), created.body());
        boardId = created.json().path("id").asText();
        JsonNode lists = http.get("/boards/" + boardId).json().path("lists");
        todo = lists.get(0).path("id").asText();
        doing = lists.get(1).path("id").asText();
    }

    @Test
    void createTaskAnswers201WithEveryFieldOfTheTask() {
        Instant before = Instant.now().minusSeconds(5);

        Http.Reply reply = http.post("/tasks", "{\"title\":\"Write the spec\",\"listId\":\"" + todo + "\"}");

        assertEquals(201, reply.status(), reply.body());
        assertEquals("application/json", reply.header("Content-Type"));
        JsonNode task = reply.json();
        assertEquals(TASK_FIELDS, fieldNames(task));
        assertTrue(task.path("id").asText().matches("task-\\d+"), task.toString());
        assertEquals(boardId, task.path("boardId").asText());
        assertEquals(todo, task.path("listId").asText());
        assertEquals("Write the spec", task.path("title").asText());
        assertEquals("", task.path("description").asText());
        assertTrue(task.path("description").isTextual(), task.toString());
        assertTrue(task.get("assigneeId").isNull(), task.toString());
        assertEquals(0, task.path("position").asInt());
        String createdAt = task.path("createdAt").asText();
        assertTrue(createdAt.matches(ISO_UTC), createdAt);
        assertEquals(createdAt, task.path("updatedAt").asText());
        Instant created = Instant.parse(createdAt);
        assertTrue(created.isAfter(before) && created.isBefore(Instant.now().plusSeconds(5)), createdAt);
    }

    @Test
    void createTaskKeepsGivenDescriptionAndAssignee() {
        Http.Reply reply = http.post("/tasks", "{\"title\":\"Review\",\"listId\":\"" + doing
                + "\",\"description\":\"Check the diff\",\"assigneeId\":\"user-2\"}");

        assertEquals(201, reply.status(), reply.body());
        assertEquals(doing, reply.json().path("listId").asText());
        assertEquals("Check the diff", reply.json().path("description").asText());
        assertEquals("user-2", reply.json().path("assigneeId").asText());
        assertEquals(reply.json(), http.get("/tasks/" + reply.json().path("id").asText()).json());
    }

    @Test
    void tasksAppendAtTheEndOfTheirList() {
        JsonNode a = create(todo, "A");
        JsonNode b = create(todo, "B");
        JsonNode other = create(doing, "Other");
        JsonNode c = create(todo, "C");

        assertEquals(0, a.path("position").asInt());
        assertEquals(1, b.path("position").asInt());
        assertEquals(2, c.path("position").asInt());
        assertEquals(0, other.path("position").asInt());
        assertEquals(List.of("A@0", "B@1", "C@2"), titles(todo));
        assertEquals(List.of("Other@0"), titles(doing));
        assertEquals(List.of(a, b, c), tasksOf(todo));
    }

    @Test
    void getTaskReturnsTheCreatedTask() {
        JsonNode task = create(todo, "Fetch me");

        Http.Reply reply = http.get("/tasks/" + task.path("id").asText());

        assertEquals(200, reply.status());
        assertEquals(task, reply.json());
    }

    @Test
    void patchTitleChangesOnlyTheTitleAndBumpsUpdatedAt() {
        JsonNode task = create(todo, "Old title", "Keep me", "user-1");
        waitUntilServerClockPasses(task.path("createdAt").asText());

        Http.Reply reply = http.patch("/tasks/" + task.path("id").asText(), "{\"title\":\"New title\"}");

        assertEquals(200, reply.status(), reply.body());
        JsonNode updated = reply.json();
        assertEquals(expect(task, Map.of("title", "New title"), updated.path("updatedAt").asText()), updated);
        assertUpdatedLater(task, updated);
        assertEquals(updated, http.get("/tasks/" + task.path("id").asText()).json());
    }

    @Test
    void patchDescriptionChangesOnlyTheDescription() {
        JsonNode task = create(todo, "Title stays", "Old text", "user-2");
        waitUntilServerClockPasses(task.path("createdAt").asText());

        Http.Reply reply = http.patch("/tasks/" + task.path("id").asText(), "{\"description\":\"New text\"}");

        assertEquals(200, reply.status(), reply.body());
        JsonNode updated = reply.json();
        assertEquals(expect(task, Map.of("description", "New text"), updated.path("updatedAt").asText()), updated);
        assertUpdatedLater(task, updated);
        assertEquals(updated, http.get("/tasks/" + task.path("id").asText()).json());
    }

    @Test
    void patchAssigneeAssignsAndNullUnassigns() {
        JsonNode task = create(todo, "Who does it?");
        String path = "/tasks/" + task.path("id").asText();
        waitUntilServerClockPasses(task.path("createdAt").asText());

        Http.Reply assigned = http.patch(path, "{\"assigneeId\":\"user-1\"}");

        assertEquals(200, assigned.status(), assigned.body());
        assertEquals(expect(task, Map.of("assigneeId", "user-1"), assigned.json().path("updatedAt").asText()),
                assigned.json());
        assertUpdatedLater(task, assigned.json());
        assertEquals("user-1", http.get(path).json().path("assigneeId").asText());

        waitUntilServerClockPasses(assigned.json().path("updatedAt").asText());
        Http.Reply unassigned = http.patch(path, "{\"assigneeId\":null}");

        assertEquals(200, unassigned.status(), unassigned.body());
        JsonNode expected = expect(task, Map.of(), unassigned.json().path("updatedAt").asText());
        assertEquals(expected, unassigned.json());
        assertTrue(unassigned.json().get("assigneeId").isNull(), unassigned.body());
        assertUpdatedLater(assigned.json(), unassigned.json());
        assertEquals(unassigned.json(), http.get(path).json());
    }

    @Test
    void patchWithUnknownAssigneeIs404AndChangesNothing() {
        JsonNode task = create(todo, "Assign me", "", "user-1");
        String path = "/tasks/" + task.path("id").asText();

        Http.Reply reply = http.patch(path, "{\"assigneeId\":\"user-99\",\"title\":\"Ignored\"}");

        assertEquals(404, reply.status(), reply.body());
        assertEquals("{\"error\":\"User not found: user-99\"}", reply.json().toString());
        assertEquals(task, http.get(path).json());
    }

    @Test
    void moveWithinAListReordersAndKeepsPositionsContiguous() {
        JsonNode a = create(todo, "A");
        create(todo, "B");
        create(todo, "C");
        JsonNode d = create(todo, "D");

        Http.Reply down = move(a, todo, 2);

        assertEquals(200, down.status(), down.body());
        assertEquals(todo, down.json().path("listId").asText());
        assertEquals(2, down.json().path("position").asInt());
        assertEquals(a.path("createdAt"), down.json().path("createdAt"));
        assertEquals(List.of("B@0", "C@1", "A@2", "D@3"), titles(todo));

        Http.Reply up = move(d, todo, 0);

        assertEquals(200, up.status(), up.body());
        assertEquals(0, up.json().path("position").asInt());
        assertEquals(List.of("D@0", "B@1", "C@2", "A@3"), titles(todo));
        assertEquals(up.json(), http.get("/tasks/" + d.path("id").asText()).json());
    }

    @Test
    void moveToAnotherListAtAPosition() {
        create(todo, "A");
        JsonNode b = create(todo, "B");
        create(todo, "C");
        create(doing, "X");
        create(doing, "Y");

        Http.Reply reply = move(b, doing, 1);

        assertEquals(200, reply.status(), reply.body());
        JsonNode moved = reply.json();
        assertEquals(doing, moved.path("listId").asText());
        assertEquals(1, moved.path("position").asInt());
        assertEquals(boardId, moved.path("boardId").asText());
        assertEquals("B", moved.path("title").asText());
        assertEquals(b.path("createdAt"), moved.path("createdAt"));
        assertEquals(List.of("A@0", "C@1"), titles(todo));
        assertEquals(List.of("X@0", "B@1", "Y@2"), titles(doing));
        assertEquals(moved, http.get("/tasks/" + b.path("id").asText()).json());
    }

    @Test
    void moveToAnotherListWithoutPositionGoesToTheEnd() {
        JsonNode a = create(todo, "A");
        create(todo, "B");
        create(doing, "X");
        create(doing, "Y");

        Http.Reply reply = http.patch("/tasks/" + a.path("id").asText() + "/move", "{\"listId\":\"" + doing + "\"}");

        assertEquals(200, reply.status(), reply.body());
        assertEquals(doing, reply.json().path("listId").asText());
        assertEquals(2, reply.json().path("position").asInt());
        assertEquals(List.of("B@0"), titles(todo));
        assertEquals(List.of("X@0", "Y@1", "A@2"), titles(doing));
    }

    @Test
    void movePastTheEndIsClampedToTheEnd() {
        JsonNode a = create(todo, "A");
        JsonNode b = create(todo, "B");
        create(todo, "C");
        create(doing, "X");

        Http.Reply otherList = move(a, doing, 99);
        Http.Reply sameList = move(b, todo, 99);

        assertEquals(200, otherList.status(), otherList.body());
        assertEquals(1, otherList.json().path("position").asInt());
        assertEquals(List.of("X@0", "A@1"), titles(doing));
        assertEquals(200, sameList.status(), sameList.body());
        assertEquals(1, sameList.json().path("position").asInt());
        assertEquals(List.of("C@0", "B@1"), titles(todo));
    }

    @Test
    void deleteAnswers204ThenTheTaskIsGoneAndTheListIsRenumbered() {
        create(todo, "A");
        JsonNode b = create(todo, "B");
        create(todo, "C");
        create(todo, "D");
        String path = "/tasks/" + b.path("id").asText();

        Http.Reply reply = http.delete(path);

        assertEquals(204, reply.status());
        assertEquals("", reply.body());
        Http.Reply gone = http.get(path);
        assertEquals(404, gone.status());
        assertEquals("{\"error\":\"Task not found: " + b.path("id").asText() + "\"}", gone.json().toString());
        assertEquals(List.of("A@0", "C@1", "D@2"), titles(todo));
    }

    @Test
    void deleteTwiceIs404TheSecondTime() {
        JsonNode task = create(todo, "Once");
        String path = "/tasks/" + task.path("id").asText();
        assertEquals(204, http.delete(path).status());

        Http.Reply again = http.delete(path);

        assertEquals(404, again.status());
        assertEquals("{\"error\":\"Task not found: " + task.path("id").asText() + "\"}", again.json().toString());
    }

    private JsonNode create(String listId, String title) {
        Http.Reply reply = http.post("/tasks", "{\"title\":\"" + title + "\",\"listId\":\"" + listId + "\"}");
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    private JsonNode create(String listId, String title, String description, String assigneeId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("listId", listId);
        body.put("description", description);
        body.put("assigneeId", assigneeId);
        Http.Reply reply = http.post("/tasks", Json.write(body));
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    private static Http.Reply move(JsonNode task, String listId, int position) {
        return http.patch("/tasks/" + task.path("id").asText() + "/move",
                "{\"listId\":\"" + listId + "\",\"position\":" + position + "}");
    }

    /** The tasks of a list as GET /boards/{id} shows them. */
    private List<JsonNode> tasksOf(String listId) {
        Http.Reply board = http.get("/boards/" + boardId);
        assertEquals(200, board.status());
        for (JsonNode list : board.json().path("lists")) {
            if (list.path("id").asText().equals(listId)) {
                List<JsonNode> tasks = new ArrayList<>();
                list.path("tasks").forEach(tasks::add);
                return tasks;
            }
        }
        throw new AssertionError("No list " + listId + " in " + board.body());
    }

    /** "title@position" of each task of a list, in the order the board lists them. */
    private List<String> titles(String listId) {
        List<String> titles = new ArrayList<>();
        for (JsonNode task : tasksOf(listId)) {
            assertEquals(listId, task.path("listId").asText());
            titles.add(task.path("title").asText() + "@" + task.path("position").asInt());
        }
        return titles;
    }

    /** The original task with some fields replaced and the given updatedAt. */
    private static JsonNode expect(JsonNode original, Map<String, String> changes, String updatedAt) {
        ObjectNode expected = original.deepCopy();
        changes.forEach(expected::put);
        expected.put("updatedAt", updatedAt);
        return expected;
    }

    private static void assertUpdatedLater(JsonNode before, JsonNode after) {
        assertEquals(before.path("createdAt"), after.path("createdAt"));
        assertTrue(after.path("updatedAt").asText().matches(ISO_UTC), after.toString());
        assertTrue(Instant.parse(after.path("updatedAt").asText()).isAfter(
                Instant.parse(before.path("updatedAt").asText())), before + " -> " + after);
    }

    /** Waits until the server's clock (the timestamp of /updates) is past the instant, so a change gets a later time. */
    private void waitUntilServerClockPasses(String instant) {
        Instant mark = Instant.parse(instant);
        Await.until("the server clock passes " + instant, () -> Instant.parse(
                http.get("/boards/" + boardId + "/updates").json().path("timestamp").asText()).isAfter(mark));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
