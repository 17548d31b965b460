package io.liveboard.http;

import static io.liveboard.http.Requests.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Text is never changed (issue 9, item 7): a JSON string holding half of a UTF-16 surrogate pair, or a body that is not
 * UTF-8, is refused rather than stored as {@code ?} or U+FFFD. Bodies here are written as the exact JSON text:
 * a doubled backslash before u-d-8-0-0 in a Java string below is the six characters of a JSON escape.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TextIntegrityTest extends ServerTest {

    private static final String SURROGATE = "Invalid JSON: text with an unpaired surrogate";
    private static final String NOT_UTF8 = "Request body is not valid UTF-8";
    private static final String GRINNING = "\uD83D\uDE00"; // 😀 as a Java string

    private static String taskId;

    @BeforeAll
    static void fixture() {
        taskId = http.createTask("list-doing", "Untouched").path("id").asText();
    }

    @Test
    void aLoneSurrogateInATitleIs400AndStoresNothing() {
        for (String title : List.of("\\ud800", "\\udc00x", "x\\ud83d", "\\ud83dx\\ude00", "\\ude00\\ud83d",
                "ok \\uDBFF")) {
            assertRejected(400, SURROGATE,
                    () -> http.post("/tasks", "{\"title\":\"" + title + "\",\"listId\":\"list-todo\"}"));
        }
    }

    @Test
    void aLoneSurrogateInADescriptionIs400AndStoresNothing() {
        assertRejected(400, SURROGATE, () -> http.post("/tasks",
                "{\"title\":\"Fine\",\"listId\":\"list-todo\",\"description\":\"see \\ud800 here\"}"));
    }

    @Test
    void aLoneSurrogateInAPatchIs400AndChangesNothing() {
        assertRejected(400, SURROGATE, () -> http.patch("/tasks/" + taskId, "{\"title\":\"\\udc00\"}"));
        assertRejected(400, SURROGATE, () -> http.patch("/tasks/" + taskId, "{\"description\":\"a\\ud800b\"}"));
    }

    @Test
    void aLoneSurrogateInAKeyIs400AndStoresNothing() {
        // Jackson's own parser refuses a broken pair in a key (not in a value): the plain "Invalid JSON"
        assertRejected(400, "Invalid JSON",
                () -> http.post("/tasks", "{\"title\":\"Fine\",\"listId\":\"list-todo\",\"\\ud800\":1}"));
    }

    @Test
    void aLoneSurrogateInABoardOrListNameIs400AndCreatesNothing() {
        assertRejected(400, SURROGATE, () -> http.post("/boards", "{\"name\":\"Board \\ud800\"}"));
        assertRejected(400, SURROGATE, () -> http.post("/boards/board-1/lists", "{\"name\":\"List \\udfff\"}"));
    }

    /** Guard: a whole pair, escaped or as raw UTF-8, is text like any other and is stored exactly. */
    @Test
    void aValidPairIsStoredAndReadBackExactly() {
        Http.Reply escaped = http.post("/tasks",
                "{\"title\":\"smile \\ud83d\\ude00\",\"listId\":\"list-todo\",\"description\":\"\\uD83D\\uDE00!\"}");
        assertEquals(201, escaped.status(), escaped.body());
        assertEquals("smile " + GRINNING, escaped.json().path("title").asText());
        JsonNode read = http.get("/tasks/" + escaped.json().path("id").asText()).json();
        assertEquals("smile " + GRINNING, read.path("title").asText());
        assertEquals(GRINNING + "!", read.path("description").asText());

        Http.Reply raw = http.post("/tasks", "{\"title\":\"raw " + GRINNING + "\",\"listId\":\"list-todo\"}");
        assertEquals(201, raw.status(), raw.body());
        assertEquals("raw " + GRINNING,
                http.get("/tasks/" + raw.json().path("id").asText()).json().path("title").asText());

        Http.Reply board = http.post("/boards", "{\"name\":\"\\ud83d\\ude00 board\"}");
        assertEquals(201, board.status(), board.body());
        assertEquals(GRINNING + " board",
                http.get("/boards/" + board.json().path("id").asText()).json().path("name").asText());
    }

    @Test
    void aBodyThatIsNotUtf8Is400AndStoresNothing() {
        for (String hex : List.of("c328", "ff", "c0af", "eda080", "e282", "f4908080")) {
            byte[] body = utf8Around("{\"title\":\"bad ", HexFormat.of().parseHex(hex), "\",\"listId\":\"list-todo\"}");
            assertRejected(400, NOT_UTF8, () -> Requests.send(server, "POST", "/tasks", body,
                    Map.of("Content-Type", "application/json")));
        }
    }

    @Test
    void aPatchThatIsNotUtf8Is400AndChangesNothing() {
        byte[] body = utf8Around("{\"description\":\"", new byte[] {(byte) 0xC3, 0x28}, "\"}");
        assertRejected(400, NOT_UTF8, () -> Requests.send(server, "PATCH", "/tasks/" + taskId, body,
                Map.of("Content-Type", "application/json")));
    }

    @Test
    void aLoneSurrogateOverWebSocketIsAnErrorWithRefAndTheSocketStaysOpen() {
        JsonNode before = http.get("/boards/board-1").json();
        try (WsClient ws = WsClient.connect(server)) {
            ws.join("board-1");

            ws.send("{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"\\ud800\",\"ref\":\"r-17\"}");
            JsonNode answer = ws.await(m -> m.has("error") || "ack".equals(m.path("type").asText()));

            ObjectNode expected = Json.MAPPER.createObjectNode().put("error", SURROGATE).put("ref", "r-17");
            assertEquals(expected, answer);
            ws.assertNoneBeforePong(m -> m.has("error") || m.has("seq"));
            assertTrue(ws.isOpen());

            ws.send("{\"type\":\"update_task\",\"taskId\":\"" + taskId + "\",\"description\":\"\\udc00\",\"ref\":5}");
            answer = ws.await(m -> m.has("error") || "ack".equals(m.path("type").asText()));
            assertEquals(Json.MAPPER.createObjectNode().put("error", SURROGATE).put("ref", 5), answer);
            ws.assertNoneBeforePong(m -> m.has("error") || m.has("seq"));
            assertTrue(ws.isOpen());
        }
        assertEquals(before, http.get("/boards/board-1").json(), "nothing may be stored");
    }

    private static byte[] utf8Around(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The request's status and exact error, and that no board, list or task changed. */
    private static void assertRejected(int status, String message, Supplier<Http.Reply> request) {
        JsonNode before = state();

        Http.Reply reply = request.get();

        assertEquals(status, reply.status(), reply.body());
        assertEquals(error(message), reply.json(), reply.body());
        assertEquals(before, state(), "nothing may be stored");
    }

    /** board-1 (its lists, tasks and seq), the fixture task, and the list of boards. */
    private static JsonNode state() {
        ObjectNode state = Json.MAPPER.createObjectNode();
        state.set("board", http.get("/boards/board-1").json());
        state.set("task", http.get("/tasks/" + taskId).json());
        state.set("boards", http.get("/boards").json());
        return state;
    }
}
