package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** REST: health, boards and their lists. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoardRoutesTest extends ServerTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";

    @Test
    void healthzAnswersStatusOk() {
        Http.Reply reply = http.get("/healthz");

        assertEquals(200, reply.status());
        assertEquals("{\"status\":\"ok\"}", reply.json().toString());
        assertEquals("application/json", reply.header("Content-Type"));
    }

    @Test
    void boardsListsTheTwoDemoBoardsFirst() {
        Http.Reply reply = http.get("/boards");

        assertEquals(200, reply.status());
        assertTrue(reply.json().isArray(), reply.body());
        JsonNode first = reply.json().get(0);
        JsonNode second = reply.json().get(1);
        assertEquals("board-1", first.path("id").asText());
        assertEquals("Product launch", first.path("name").asText());
        assertEquals("board-2", second.path("id").asText());
        assertEquals("Team retro", second.path("name").asText());
        for (JsonNode board : List.of(first, second)) {
            assertEquals(Set.of("id", "name", "createdAt"), fieldNames(board));
            assertTrue(board.path("createdAt").asText().matches(ISO_UTC), board.toString());
        }
    }

    @Test
    void demoBoardHasItsNamedListsInOrder() {
        Http.Reply reply = http.get("/boards/board-1");

        assertEquals(200, reply.status());
        JsonNode board = reply.json();
        assertEquals("board-1", board.path("id").asText());
        assertEquals("Product launch", board.path("name").asText());
        JsonNode lists = board.path("lists");
        assertEquals(3, lists.size(), lists.toString());
        String[] ids = {"list-todo", "list-doing", "list-done"};
        String[] names = {"To Do", "In Progress", "Done"};
        for (int i = 0; i < 3; i++) {
            assertEquals(ids[i], lists.get(i).path("id").asText());
            assertEquals("board-1", lists.get(i).path("boardId").asText());
            assertEquals(names[i], lists.get(i).path("name").asText());
            assertEquals(i, lists.get(i).path("position").asInt());
        }
    }

    @Test
    void createBoardAnswers201WithIdNameAndCreatedAt() {
        Instant before = Instant.now().minusSeconds(5);

        Http.Reply reply = http.post("/boards", "{\"name\":\"Release 2.0\"}");

        assertEquals(201, reply.status(), reply.body());
        JsonNode board = reply.json();
        assertTrue(fieldNames(board).containsAll(Set.of("id", "name", "createdAt")), board.toString());
        assertTrue(board.path("id").asText().matches("board-\\d+"), board.toString());
        assertNotEquals("board-1", board.path("id").asText());
        assertNotEquals("board-2", board.path("id").asText());
        assertEquals("Release 2.0", board.path("name").asText());
        String createdAt = board.path("createdAt").asText();
        assertTrue(createdAt.matches(ISO_UTC), createdAt);
        Instant created = Instant.parse(createdAt);
        assertTrue(created.isAfter(before) && created.isBefore(Instant.now().plusSeconds(5)), createdAt);

        boolean listed = false;
        for (JsonNode listedBoard : http.get("/boards").json()) {
            if (listedBoard.path("id").asText().equals(board.path("id").asText())) {
                // the listing has the board's summary; the 201 answer is the whole board (see below)
                assertEquals(Set.of("id", "name", "createdAt"), fieldNames(listedBoard));
                for (String field : List.of("id", "name", "createdAt")) {
                    assertEquals(board.path(field), listedBoard.path(field), field);
                }
                listed = true;
            }
        }
        assertTrue(listed, "GET /boards should list the new board");
    }

    @Test
    void createBoardAnswersTheWholeBoardAsGetShowsIt() {
        Http.Reply reply = http.post("/boards", "{\"name\":\"  Answered whole \"}");

        assertEquals(201, reply.status(), reply.body());
        JsonNode created = reply.json();
        String boardId = created.path("id").asText();
        assertTrue(boardId.matches("board-\\d+"), created.toString());
        assertEquals(Set.of("id", "name", "createdAt", "seq", "lists"), fieldNames(created));
        assertEquals("Answered whole", created.path("name").asText());
        assertTrue(created.path("createdAt").asText().matches(ISO_UTC), created.toString());
        assertTrue(created.path("seq").isIntegralNumber() && created.path("seq").asLong() == 0, created.toString());
        JsonNode lists = created.path("lists");
        assertEquals(3, lists.size(), lists.toString());
        String[] names = {"To Do", "In Progress", "Done"};
        for (int i = 0; i < 3; i++) {
            JsonNode list = lists.get(i);
            assertEquals(Set.of("id", "boardId", "name", "position", "tasks"), fieldNames(list), list.toString());
            assertTrue(list.path("id").asText().matches("list-\\d+"), list.toString());
            assertEquals(boardId, list.path("boardId").asText());
            assertEquals(names[i], list.path("name").asText());
            assertEquals(i, list.path("position").asInt());
            assertTrue(list.path("tasks").isArray() && list.path("tasks").isEmpty(), list.toString());
        }

        Http.Reply read = http.get("/boards/" + boardId);
        assertEquals(200, read.status(), read.body());
        assertEquals(read.json(), created, "the 201 answer is the board as GET /boards/{id} shows it");
    }

    @Test
    void newBoardHasToDoInProgressAndDoneWithNoTasks() {
        JsonNode created = http.post("/boards", "{\"name\":\"Fresh\"}").json();
        String boardId = created.path("id").asText();

        Http.Reply reply = http.get("/boards/" + boardId);

        assertEquals(200, reply.status());
        JsonNode board = reply.json();
        assertEquals(Set.of("id", "name", "createdAt", "seq", "lists"), fieldNames(board));
        assertEquals(boardId, board.path("id").asText());
        assertEquals("Fresh", board.path("name").asText());
        assertEquals(created.path("createdAt"), board.path("createdAt"));
        assertEquals(0, board.path("seq").asLong());
        JsonNode lists = board.path("lists");
        assertEquals(3, lists.size(), lists.toString());
        String[] names = {"To Do", "In Progress", "Done"};
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode list = lists.get(i);
            assertEquals(Set.of("id", "boardId", "name", "position", "tasks"), fieldNames(list));
            assertTrue(list.path("id").asText().matches("list-\\d+"), list.toString());
            ids.add(list.path("id").asText());
            assertEquals(boardId, list.path("boardId").asText());
            assertEquals(names[i], list.path("name").asText());
            assertEquals(i, list.path("position").asInt());
            assertTrue(list.path("tasks").isArray() && list.path("tasks").isEmpty(), list.toString());
        }
        assertEquals(3, ids.size(), "list ids must be distinct: " + ids);
    }

    @Test
    void createListAnswers201AtTheNextPosition() {
        String boardId = http.post("/boards", "{\"name\":\"With lists\"}").json().path("id").asText();

        Http.Reply review = http.post("/boards/" + boardId + "/lists", "{\"name\":\"Review\"}");
        Http.Reply blocked = http.post("/boards/" + boardId + "/lists", "{\"name\":\"Blocked\"}");

        assertEquals(201, review.status(), review.body());
        assertEquals(Set.of("id", "boardId", "name", "position"), fieldNames(review.json()));
        assertTrue(review.json().path("id").asText().matches("list-\\d+"), review.body());
        assertEquals(boardId, review.json().path("boardId").asText());
        assertEquals("Review", review.json().path("name").asText());
        assertEquals(3, review.json().path("position").asInt());
        assertEquals(201, blocked.status(), blocked.body());
        assertEquals(4, blocked.json().path("position").asInt());

        JsonNode board = http.get("/boards/" + boardId).json();
        List<String> names = new ArrayList<>();
        for (JsonNode list : board.path("lists")) {
            names.add(list.path("name").asText() + "@" + list.path("position").asInt());
        }
        assertEquals(List.of("To Do@0", "In Progress@1", "Done@2", "Review@3", "Blocked@4"), names);
        assertEquals(review.json().path("id"), board.path("lists").get(3).path("id"));
        assertTrue(board.path("lists").get(3).path("tasks").isEmpty());
        assertEquals(2, board.path("seq").asLong(), "each new list is one board event");
    }

    @Test
    void unknownBoardIs404OnGet() {
        Http.Reply reply = http.get("/boards/board-404");

        assertEquals(404, reply.status());
        assertEquals("{\"error\":\"Board not found: board-404\"}", reply.json().toString());
    }

    @Test
    void unknownBoardIs404OnCreateList() {
        Http.Reply reply = http.post("/boards/board-404/lists", "{\"name\":\"Review\"}");

        assertEquals(404, reply.status());
        assertEquals("{\"error\":\"Board not found: board-404\"}", reply.json().toString());
        assertEquals(404, http.get("/boards/board-404").status(), "no board may appear");
    }

    @Test
    void createBoardWithoutNameIs400AndCreatesNothing() {
        JsonNode before = http.get("/boards").json();

        Http.Reply missing = http.post("/boards", "{}");
        Http.Reply nullName = http.post("/boards", "{\"name\":null}");

        for (Http.Reply reply : List.of(missing, nullName)) {
            assertEquals(400, reply.status(), reply.body());
            assertEquals("{\"error\":\"name is required\"}", reply.json().toString());
        }
        assertEquals(before, http.get("/boards").json());
    }

    @Test
    void createBoardWithBlankNameIs400AndCreatesNothing() {
        JsonNode before = http.get("/boards").json();

        Http.Reply reply = http.post("/boards", "{\"name\":\"  \\t \"}");

        assertEquals(400, reply.status(), reply.body());
        assertEquals("{\"error\":\"name is required\"}", reply.json().toString());
        assertEquals(before, http.get("/boards").json());
    }

    @Test
    void createListWithoutNameIs400AndAddsNoList() {
        String boardId = http.post("/boards", "{\"name\":\"No blank lists\"}").json().path("id").asText();
        JsonNode before = http.get("/boards/" + boardId).json();

        Http.Reply missing = http.post("/boards/" + boardId + "/lists", "{}");
        Http.Reply blank = http.post("/boards/" + boardId + "/lists", "{\"name\":\" \"}");

        for (Http.Reply reply : List.of(missing, blank)) {
            assertEquals(400, reply.status(), reply.body());
            assertEquals("{\"error\":\"name is required\"}", reply.json().toString());
        }
        assertEquals(before, http.get("/boards/" + boardId).json());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
