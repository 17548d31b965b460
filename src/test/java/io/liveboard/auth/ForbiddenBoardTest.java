package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A board outside the token's {@code boards}, over every transport: refused (403, or a {@code Forbidden}
 * error on a socket that stays open), and nothing on it changes. Alice may use board A only; B is not hers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForbiddenBoardTest extends AuthServerTest {

    private String boardA;
    private String boardB;
    private String listA;
    private String listB;
    private String taskB;
    private String aliceToken;
    private Caller alice;

    @BeforeEach
    void twoBoards() {
        boardA = admin.newBoard("Alice's");
        boardB = admin.newBoard("Not Alice's");
        listA = admin.firstListOf(boardA);
        listB = admin.firstListOf(boardB);
        admin.createTask(listB, "B first");
        taskB = admin.createTask(listB, "B second").path("id").asText();
        aliceToken = Tokens.issue("alice", "Alice", List.of(boardA));
        alice = Caller.bearer(server, aliceToken);
    }

    @Test
    void boardListShowsOnlyTheAllowedBoard() {
        assertEquals(List.of(boardA), AuthHttpTest.ids(alice.get("/boards").json()));
        assertEquals(200, alice.get("/boards/" + boardA).status());
    }

    @Test
    void everyRestRouteTouchingTheBoardIs403AndChangesNothing() {
        JsonNode before = admin.board(boardB);
        String b = "/boards/" + boardB;
        String[][] requests = {
            {"GET", b, null},
            {"POST", b + "/lists", "{\"name\":\"Mine now\"}"},
            {"POST", "/tasks", "{\"title\":\"Planted\",\"listId\":\"" + listB + "\"}"},
            {"GET", "/tasks/" + taskB, null},
            {"PATCH", "/tasks/" + taskB, "{\"title\":\"Defaced\"}"},
            {"PATCH", "/tasks/" + taskB + "/move", "{\"listId\":\"" + listB + "\",\"position\":0}"},
            {"DELETE", "/tasks/" + taskB, null},
            {"GET", b + "/updates", null},
            {"GET", b + "/updates?since=2020-01-01T00:00:00Z", null},
            {"GET", b + "/updates?after=0", null},
            {"GET", b + "/poll", null},
            {"GET", b + "/poll?after=0", null},
            {"GET", b + "/presence", null},
        };
        for (String[] request : requests) {
            Http.Reply reply = alice.send(request[0], request[1], request[2], Map.of());
            assertEquals(403, reply.status(), request[0] + " " + request[1] + ": " + reply.body());
            assertEquals(error("Forbidden"), reply.json(), request[0] + " " + request[1]);
        }
        assertEquals(before, admin.board(boardB), "board B changed by refused requests");
        // and the same token still works where it is allowed
        assertEquals(201, alice.post("/tasks", "{\"title\":\"Mine\",\"listId\":\"" + listA + "\"}").status());
    }

    @Test
    void aTaskOfTheAllowedBoardCannotBeMovedIntoTheForbiddenBoard() {
        String taskA = alice.createTask(listA, "Stays home").path("id").asText();
        JsonNode before = admin.board(boardB);
        Http.Reply reply = alice.patch("/tasks/" + taskA + "/move", "{\"listId\":\"" + listB + "\"}");
        assertTrue(reply.status() == 403 || reply.status() == 400, reply.status() + " " + reply.body());
        assertEquals(before, admin.board(boardB));
        assertEquals(listA, admin.get("/tasks/" + taskA).json().path("listId").asText());
    }

    @Test
    void streamsOfTheBoardAre403AndOpenNothing() {
        int before = admin.connections().path("sse").asInt();
        for (String path : List.of("/boards/" + boardB + "/events", "/events?boards=" + boardA + "," + boardB,
                "/events?boards=" + boardB + "," + boardA, "/events?boards=" + boardB)) {
            Http.Reply reply = alice.stream(path);
            assertEquals(403, reply.status(), path + ": " + reply.body());
            assertEquals(error("Forbidden"), reply.json(), path);
        }
        assertEquals(before, admin.connections().path("sse").asInt(), "a refused stream stayed open");
        assertEquals(List.of(), admin.presentUserIds(boardB));
    }

    @Test
    void joiningTheBoardIsForbiddenAndTheSocketStaysOpen() {
        try (WsClient ws = WsClient.connect(server, "/ws", bearer(aliceToken))) {
            ws.send(join(boardB, null));
            assertEquals(error("Forbidden"), ws.await(m -> true));
            ws.send(join(boardB, 0L));
            assertEquals(error("Forbidden"), ws.await(m -> true));
            ws.send("{\"type\":\"typing\",\"boardId\":\"" + boardB + "\"}");
            assertEquals(error("Forbidden"), ws.await(m -> true));

            assertTrue(ws.isOpen());
            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.await(m -> true).path("type").asText());
            ws.join(boardA);

            JsonNode rooms = admin.connections().path("boards");
            assertFalse(rooms.has(boardB), "a refused join made a member: " + rooms);
            assertEquals(List.of(), admin.presentUserIds(boardB));
        }
    }

    @Test
    void socketCommandsOnTheBoardAreForbiddenWithTheirRefAndChangeNothing() {
        JsonNode before = admin.board(boardB);
        try (WsClient ws = WsClient.connect(server, "/ws", bearer(aliceToken))) {
            ws.join(boardA);
            ws.awaitType("presence");
            List<Map<String, Object>> commands = List.of(
                    Map.of("type", "create_task", "listId", listB, "title", "Planted", "ref", "c1"),
                    Map.of("type", "update_task", "taskId", taskB, "title", "Defaced", "ref", "u1"),
                    Map.of("type", "move_task", "taskId", taskB, "listId", listB, "position", 0, "ref", "m1"),
                    Map.of("type", "delete_task", "taskId", taskB, "ref", Map.of("n", 4)));
            for (Map<String, Object> command : commands) {
                ws.send(Json.write(command));
                JsonNode expected = Json.MAPPER.createObjectNode().put("error", "Forbidden")
                        .set("ref", Json.MAPPER.valueToTree(command.get("ref")));
                assertEquals(expected, ws.await(m -> true), command.toString());
            }
            assertTrue(ws.isOpen());
        }
        assertEquals(before, admin.board(boardB), "board B changed by refused commands");
    }

    /**
     * Alice, allowed A only, follows A over a socket (having tried to join B, also with since 0) and over SSE,
     * while B changes in every way over REST and over another socket: she gets A's events and nothing of B.
     */
    @Test
    void noEventOfTheForbiddenBoardReachesAClientOfTheAllowedOne() {
        try (WsClient aliceWs = WsClient.connect(server, "/ws", bearer(aliceToken));
                WsClient aliceAuthMessage = WsClient.connect(server, "/ws", Map.of());
                SseClient aliceSse = SseClient.open(server, "/events?boards=" + boardA, bearer(aliceToken));
                WsClient bob = WsClient.connect(server, "/ws", bearer(admin.token()))) {
            aliceAuthMessage.send(AuthWebSocketTest.auth(aliceToken));
            aliceAuthMessage.awaitType("authenticated");
            for (WsClient ws : List.of(aliceWs, aliceAuthMessage)) {
                ws.join(boardA);
                ws.send(join(boardB, null));
                assertEquals(error("Forbidden"), ws.await(m -> m.has("error") || boardB.equals(m.path("boardId").asText())));
                ws.send(join(boardB, 0L));
                assertEquals(error("Forbidden"), ws.await(m -> m.has("error") || boardB.equals(m.path("boardId").asText())));
            }
            assertEquals(200, aliceSse.status());
            aliceSse.await(e -> e.data() != null && e.data().contains("\"connected\""));
            bob.join(boardB);

            // B changes every way there is, over REST and over Bob's socket
            String created = admin.createTask(listB, "B live").path("id").asText();
            assertEquals(200, admin.patch("/tasks/" + created, "{\"title\":\"B live, renamed\"}").status());
            assertEquals(200, admin.patch("/tasks/" + created + "/move", "{\"listId\":\"" + listB + "\",\"position\":0}").status());
            assertEquals(201, admin.post("/boards/" + boardB + "/lists", "{\"name\":\"B more\"}").status());
            assertEquals(204, admin.delete("/tasks/" + created).status());
            for (String type : List.of("task_created", "task_updated", "task_moved", "list_created", "task_deleted")) {
                bob.awaitType(type); // B's events really went out live
            }
            bob.send("{\"type\":\"create_task\",\"listId\":\"" + listB + "\",\"title\":\"B by socket\",\"ref\":\"b\"}");
            String bobsTask = bob.await(m -> "ack".equals(m.path("type").asText())).path("task").path("id").asText();
            bob.send("{\"type\":\"delete_task\",\"taskId\":\"" + bobsTask + "\",\"ref\":\"d\"}");
            bob.await(m -> "ack".equals(m.path("type").asText()));

            // then one change on A: once it arrives, whatever of B could have leaked is in front of it
            JsonNode marker = admin.createTask(listA, "A marker");
            for (WsClient ws : List.of(aliceWs, aliceAuthMessage)) {
                assertEquals(marker, ws.await(m -> {
                    assertNotAboutB(m);
                    return "task_created".equals(m.path("type").asText());
                }).path("task"));
                ws.assertNoneBeforePong(m -> isAboutB(m));
                ws.drain().forEach(ForbiddenBoardTest.this::assertNotAboutB);
            }
            assertEquals(marker, aliceSse.await(e -> {
                if (!":comment".equals(e.event()) && e.data() != null && isAboutB(e.json())) {
                    throw new AssertionError("SSE leaked an event of B: " + e);
                }
                return "task_created".equals(e.event());
            }).json().path("task"));
            assertEquals(List.of("admin"), admin.presentUserIds(boardB));
        }
    }

    /**
     * The server lets an authenticated socket send a later {@code auth} to renew its token (same user). If it
     * takes a token that no longer allows B, the socket must stop getting B's events, whatever it joined
     * before; refusing such a renewal (keeping the old token) is fine too.
     */
    @Test
    void aRenewedTokenThatDropsTheBoardEndsItsEvents() {
        String wide = Tokens.issue("alice", "Alice", List.of(boardA, boardB));
        try (WsClient ws = WsClient.connect(server, "/ws", bearer(wide))) {
            ws.join(boardA);
            ws.join(boardB);
            ws.awaitType("presence");
            ws.send(AuthWebSocketTest.auth(aliceToken));
            JsonNode answer = ws.await(m -> m.has("error") || "authenticated".equals(m.path("type").asText()));
            if (answer.has("error")) {
                return; // renewal refused: the old token, which allows B, still holds
            }
            admin.createTask(listB, "After the narrowing");
            JsonNode marker = admin.createTask(listA, "A marker after the narrowing");
            assertEquals(marker, ws.await(m -> {
                if (!"left".equals(m.path("type").asText()) && !m.has("error")) {
                    assertNotAboutB(m); // being told it left B is fine; B's events are not
                }
                return "task_created".equals(m.path("type").asText());
            }).path("task"));
        }
    }

    private boolean isAboutB(JsonNode message) {
        return boardB.equals(message.path("boardId").asText()) || message.toString().contains("\"" + boardB + "\"")
                || message.toString().contains("\"" + listB + "\"") || message.toString().contains("\"" + taskB + "\"");
    }

    private void assertNotAboutB(JsonNode message) {
        if (isAboutB(message)) {
            throw new AssertionError("Alice got something of board " + boardB + ": " + message);
        }
    }

    private static String join(String boardId, Long since) {
        return "{\"type\":\"join\",\"boardId\":\"" + boardId + "\"" + (since == null ? "" : ",\"since\":" + since) + "}";
    }
}
