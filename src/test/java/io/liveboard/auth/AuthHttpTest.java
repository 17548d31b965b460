package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP with {@code --auth token}: every route but {@code /healthz} and {@code /metrics} needs a good token;
 * a missing or refused one is a 401 that changes nothing; each of the three ways to send a token works.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthHttpTest extends AuthServerTest {

    /** method, path, body: one request per route family, all aimed at the demo board-1. */
    private static final List<String[]> ROUTES = List.of(
            new String[] {"GET", "/boards", null},
            new String[] {"POST", "/boards", "{\"name\":\"Sneaky\"}"},
            new String[] {"GET", "/boards/board-1", null},
            new String[] {"POST", "/boards/board-1/lists", "{\"name\":\"Sneaky\"}"},
            new String[] {"POST", "/tasks", "{\"title\":\"Sneaky\",\"listId\":\"list-todo\"}"},
            new String[] {"GET", "/tasks/task-1", null},
            new String[] {"PATCH", "/tasks/task-1", "{\"title\":\"Sneaky\"}"},
            new String[] {"PATCH", "/tasks/task-1/move", "{\"listId\":\"list-done\"}"},
            new String[] {"DELETE", "/tasks/task-1", null},
            new String[] {"GET", "/boards/board-1/updates", null},
            new String[] {"GET", "/boards/board-1/updates?after=0", null},
            new String[] {"GET", "/boards/board-1/poll", null},
            new String[] {"GET", "/boards/board-1/poll?after=0", null},
            new String[] {"GET", "/boards/board-1/presence", null},
            new String[] {"GET", "/boards/board-1/events", null},
            new String[] {"GET", "/events?boards=board-1,board-2", null},
            new String[] {"GET", "/admin/connections", null});

    @Test
    void everyRouteButHealthAndMetricsIs401WithoutATokenAndChangesNothing() {
        JsonNode task = admin.createTask("list-todo", "Guarded");
        JsonNode before = admin.board("board-1");
        List<String> boardsBefore = ids(admin.get("/boards").json());
        Caller nobody = Caller.anonymous(server);
        for (String[] route : ROUTES) {
            String path = route[1].replace("task-1", task.path("id").asText());
            Http.Reply reply = nobody.send(route[0], path, route[2], Map.of());
            assertEquals(401, reply.status(), route[0] + " " + path + ": " + reply.body());
            assertEquals(error("Unauthorized"), reply.json(), route[0] + " " + path);
        }
        assertEquals(before, admin.board("board-1"), "board-1 changed by refused requests");
        assertEquals(boardsBefore, ids(admin.get("/boards").json()), "a board was created by a refused request");
    }

    @Test
    void healthAndMetricsArePublic() {
        Caller nobody = Caller.anonymous(server);
        Http.Reply health = nobody.get("/healthz");
        assertEquals(200, health.status(), health.body());
        assertEquals("{\"status\":\"ok\"}", health.json().toString());
        Http.Reply metrics = nobody.get("/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("liveboard_connections"), metrics.body());
    }

    /** Each refused token, over each of the three ways to send it, on a read and on a write. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.liveboard.auth.Tokens#bad")
    void refusedTokensAre401AndWriteNothing(Tokens.BadToken bad) {
        JsonNode before = admin.board("board-1");
        for (Caller.Via via : Caller.Via.values()) {
            Caller caller = new Caller(server, bad.token(), via);
            assertError(401, bad.error(), caller.get("/boards"));
            assertError(401, bad.error(), caller.get("/boards/board-1"));
            assertError(401, bad.error(), caller.post("/tasks", "{\"title\":\"Forged\",\"listId\":\"list-todo\"}"));
        }
        assertEquals(before, admin.board("board-1"), "board-1 changed by a refused token");
    }

    @Test
    void otherAuthorizationSchemesAndAnEmptyBearerAre401() {
        for (String header : List.of("Basic YWRtaW46YWRtaW4=", "Bearer ", "Bearer", "Token " + admin.token(),
                admin.token())) {
            Http.Reply reply = Caller.anonymous(server).send("GET", "/boards", null,
                    Map.of("Authorization", header));
            assertError(401, "Unauthorized", reply);
        }
        assertError(401, "Unauthorized", Caller.anonymous(server).send("GET", "/boards", null,
                Map.of("Cookie", "other=" + admin.token())));
    }

    @ParameterizedTest
    @EnumSource(Caller.Via.class)
    void eachWayOfSendingTheTokenIsAccepted(Caller.Via via) {
        Caller alice = new Caller(server, Tokens.issue("alice-" + via, "Alice", List.of("board-2")), via);
        Http.Reply boards = alice.get("/boards");
        assertEquals(200, boards.status(), boards.body());
        assertEquals(List.of("board-2"), ids(boards.json()));

        Http.Reply created = alice.post("/tasks", "{\"title\":\"Via " + via + "\",\"listId\":\"list-2-todo\"}");
        assertEquals(201, created.status(), created.body());
        String taskId = created.json().path("id").asText();
        assertEquals("Via " + via, admin.get("/tasks/" + taskId).json().path("title").asText());
        assertEquals(200, alice.patch("/tasks/" + taskId, "{\"title\":\"Renamed\"}").status());
        assertEquals(200, alice.patch("/tasks/" + taskId + "/move", "{\"listId\":\"list-2-done\"}").status());
        assertEquals(200, alice.get("/boards/board-2/updates?after=0").status());
        assertEquals(204, alice.delete("/tasks/" + taskId).status());
        assertEquals(404, admin.get("/tasks/" + taskId).status());
    }

    @Test
    void aTokenForAllBoardsSeesAndCreatesBoardsAndReadsConnections() {
        String created = admin.newBoard("Made by star");
        List<String> all = ids(admin.get("/boards").json());
        assertTrue(all.containsAll(List.of("board-1", "board-2", created)), all.toString());
        assertEquals(200, admin.get("/boards/" + created).status());
        assertEquals(200, admin.get("/admin/connections").status());

        Caller both = Caller.bearer(server, Tokens.issue("bob", "Bob", List.of("board-1", "board-2")));
        assertEquals(List.of("board-1", "board-2"), ids(both.get("/boards").json()));
        assertError(403, "Forbidden", both.post("/boards", "{\"name\":\"Not mine to make\"}"));
        assertError(403, "Forbidden", both.get("/admin/connections"));
        assertEquals(all, ids(admin.get("/boards").json()), "a refused POST /boards created a board");
    }

    @Test
    void aTokenWithNoBoardsSeesNone() {
        Caller nobodysBoards = Caller.bearer(server, Tokens.issue("carol", "Carol", List.of()));
        Http.Reply boards = nobodysBoards.get("/boards");
        assertEquals(200, boards.status(), boards.body());
        assertEquals(List.of(), ids(boards.json()));
        assertError(403, "Forbidden", nobodysBoards.get("/boards/board-1"));
    }

    @Test
    void aTokenNamingAnUnknownBoardListsOnlyTheBoardsThatExist() {
        Caller caller = Caller.bearer(server, Tokens.issue("dave", "Dave", List.of("board-1", "no-such-board")));
        assertEquals(List.of("board-1"), ids(caller.get("/boards").json()));
        assertError(404, "Board not found: no-such-board", caller.get("/boards/no-such-board"));
    }

    static List<String> ids(JsonNode boards) {
        List<String> ids = new ArrayList<>();
        boards.forEach(b -> ids.add(b.path("id").asText()));
        return ids;
    }
}
