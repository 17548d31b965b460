package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the SQLite file keeps across a restart of the App on it: data, id counters, event numbers, the seed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistenceTest {

    @Test
    void boardsListsAndTasksSurviveARestart() {
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            String boardId = http.post("/boards", "{\"name\":\"Kept\"}").json().path("id").asText();
            JsonNode review = http.post("/boards/" + boardId + "/lists", "{\"name\":\"Review\"}").json();
            JsonNode lists = http.get("/boards/" + boardId).json().path("lists");
            String todo = lists.get(0).path("id").asText();
            JsonNode first = created(http, "{\"title\":\"First\",\"listId\":\"" + todo
                    + "\",\"description\":\"with text\",\"assigneeId\":\"user-2\"}");
            created(http, "{\"title\":\"Second\",\"listId\":\"" + todo + "\"}");
            JsonNode third = created(http, "{\"title\":\"Third\",\"listId\":\"" + todo + "\"}");
            assertEquals(200, http.patch("/tasks/" + third.path("id").asText() + "/move",
                    "{\"listId\":\"" + todo + "\",\"position\":0}").status());
            assertEquals(200, http.patch("/tasks/" + first.path("id").asText() + "/move",
                    "{\"listId\":\"" + review.path("id").asText() + "\"}").status());
            JsonNode boardsBefore = http.get("/boards").json();
            JsonNode boardBefore = http.get("/boards/" + boardId).json();
            JsonNode firstBefore = http.get("/tasks/" + first.path("id").asText()).json();
            JsonNode demoBefore = http.get("/boards/board-1").json();
            assertEquals(List.of("Third@0", "Second@1"), titles(boardBefore, 0));
            assertEquals(List.of("First@0"), titles(boardBefore, 3));

            server.restart();

            assertEquals(boardsBefore, http.get("/boards").json());
            JsonNode boardAfter = http.get("/boards/" + boardId).json();
            assertEquals(boardBefore, boardAfter);
            assertEquals(List.of("To Do", "In Progress", "Done", "Review"), listNames(boardAfter));
            assertEquals(List.of("Third@0", "Second@1"), titles(boardAfter, 0));
            JsonNode firstAfter = http.get("/tasks/" + first.path("id").asText()).json();
            assertEquals(firstBefore, firstAfter);
            assertEquals("with text", firstAfter.path("description").asText());
            assertEquals("user-2", firstAfter.path("assigneeId").asText());
            assertEquals(review.path("id").asText(), firstAfter.path("listId").asText());
            assertEquals(first.path("createdAt"), firstAfter.path("createdAt"));
            assertEquals(demoBefore, http.get("/boards/board-1").json());
        }
    }

    @Test
    void idsContinueAfterARestartWithoutReuse() {
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            JsonNode board = http.post("/boards", "{\"name\":\"Counting\"}").json();
            JsonNode list = http.post("/boards/" + board.path("id").asText() + "/lists", "{\"name\":\"More\"}").json();
            created(http, "{\"title\":\"Kept\",\"listId\":\"list-todo\"}");
            JsonNode last = created(http, "{\"title\":\"Deleted\",\"listId\":\"list-todo\"}");
            assertEquals(204, http.delete("/tasks/" + last.path("id").asText()).status());

            server.restart();

            JsonNode task = created(http, "{\"title\":\"After\",\"listId\":\"list-todo\"}");
            assertEquals(number(last) + 1, number(task), "no task id is reused, not even a deleted one");
            JsonNode nextBoard = http.post("/boards", "{\"name\":\"Next\"}").json();
            assertEquals(number(board) + 1, number(nextBoard));
            JsonNode nextList = http.post("/boards/" + board.path("id").asText() + "/lists", "{\"name\":\"Again\"}")
                    .json();
            // the new board took three list ids for its default lists
            assertEquals(number(list) + 4, number(nextList));
            assertEquals(404, http.get("/tasks/" + last.path("id").asText()).status());
        }
    }

    @Test
    void eventSeqContinuesAfterARestart() {
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            JsonNode task = created(http, "{\"title\":\"Counted\",\"listId\":\"list-todo\"}");
            assertEquals(200, http.patch("/tasks/" + task.path("id").asText(), "{\"title\":\"Recounted\"}").status());
            assertEquals(200, http.patch("/tasks/" + task.path("id").asText() + "/move",
                    "{\"listId\":\"list-done\"}").status());
            assertEquals(3, http.get("/boards/board-1").json().path("seq").asLong());

            server.restart();

            assertEquals(3, http.get("/boards/board-1").json().path("seq").asLong());
            try (WsClient viewer = WsClient.connect(server)) {
                viewer.join("board-1");
                JsonNode next = created(http, "{\"title\":\"After restart\",\"listId\":\"list-todo\"}");

                JsonNode broadcast = viewer.awaitType("task_created");
                assertEquals(4, broadcast.path("seq").asLong(), broadcast.toString());
                assertEquals(next, broadcast.path("task"));
            }
            assertEquals(4, http.get("/boards/board-1").json().path("seq").asLong());
            assertEquals(204, http.delete("/tasks/" + task.path("id").asText()).status());
            assertEquals(5, http.get("/boards/board-1").json().path("seq").asLong());
        }
    }

    @Test
    void aFreshDatabaseGetsTheDemoDataExactlyOnce() {
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            JsonNode boards = http.get("/boards").json();
            assertEquals(List.of("board-1:Product launch", "board-2:Team retro"), boardNames(boards));
            assertEquals(List.of("list-2-todo", "list-2-doing", "list-2-done"),
                    listIds(http.get("/boards/board-2").json()));
            assertEquals(0, http.get("/boards/board-1").json().path("seq").asLong());

            server.restart();
            server.restart();

            assertEquals(boards, http.get("/boards").json());
            assertEquals(List.of("list-todo", "list-doing", "list-done"), listIds(http.get("/boards/board-1").json()));
            JsonNode assigned = created(http,
                    "{\"title\":\"Alice's\",\"listId\":\"list-todo\",\"assigneeId\":\"user-1\"}");
            assertEquals("user-1", assigned.path("assigneeId").asText());
            assertEquals("board-3", http.post("/boards", "{\"name\":\"Own\"}").json().path("id").asText(),
                    "no second demo board took an id");
        }
    }

    private static JsonNode created(Http http, String body) {
        Http.Reply reply = http.post("/tasks", body);
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    private static int number(JsonNode entity) {
        String id = entity.path("id").asText();
        assertTrue(id.matches("[a-z]+-\\d+"), id);
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    private static List<String> titles(JsonNode board, int listIndex) {
        List<String> titles = new ArrayList<>();
        for (JsonNode task : board.path("lists").get(listIndex).path("tasks")) {
            titles.add(task.path("title").asText() + "@" + task.path("position").asInt());
        }
        return titles;
    }

    private static List<String> listNames(JsonNode board) {
        List<String> names = new ArrayList<>();
        board.path("lists").forEach(list -> names.add(list.path("name").asText()));
        return names;
    }

    private static List<String> listIds(JsonNode board) {
        List<String> ids = new ArrayList<>();
        board.path("lists").forEach(list -> ids.add(list.path("id").asText()));
        return ids;
    }

    private static List<String> boardNames(JsonNode boards) {
        List<String> names = new ArrayList<>();
        boards.forEach(board -> names.add(board.path("id").asText() + ":" + board.path("name").asText()));
        return names;
    }
}
