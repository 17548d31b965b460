package io.liveboard.ws;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.api.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad frames: each gets its exact {@code {"error": …}} and the socket stays open and keeps answering;
 * only an oversized frame closes the socket (1009), and only that one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsProtocolErrorsTest extends ServerTest {

    private static final int MAX_FRAME = 64 * 1024;

    static Stream<Arguments> badFrames() {
        return Stream.of(
                argumentSet("not JSON", "hello there", "Invalid JSON"),
                argumentSet("truncated JSON", "{\"type\":\"join\",\"boardId\":\"board-1\"", "Invalid JSON"),
                argumentSet("single-quoted JSON", "{'type':'ping'}", "Invalid JSON"),
                argumentSet("empty frame", "", "Invalid JSON"),
                argumentSet("trailing garbage", "{\"type\":\"ping\"} trailing garbage", "Invalid JSON"),
                argumentSet("two objects in one frame", "{\"type\":\"ping\"}{\"type\":\"ping\"}", "Invalid JSON"),
                argumentSet("repeated key", "{\"type\":\"ping\",\"type\":\"join\"}", "Invalid JSON"),
                argumentSet("JSON array", "[{\"type\":\"ping\"}]", "Message must be a JSON object"),
                argumentSet("JSON string", "\"ping\"", "Message must be a JSON object"),
                argumentSet("JSON number", "42", "Message must be a JSON object"),
                argumentSet("JSON null", "null", "Message must be a JSON object"),
                argumentSet("empty object", "{}", "type is required"),
                argumentSet("type not a string", "{\"type\":7}", "type is required"),
                argumentSet("type null", "{\"type\":null}", "type is required"),
                argumentSet("unknown type", "{\"type\":\"dance\"}", "Unknown type: dance"),
                argumentSet("join without boardId", "{\"type\":\"join\"}", "boardId is required"),
                argumentSet("join with empty boardId", "{\"type\":\"join\",\"boardId\":\"\"}", "boardId is required"),
                argumentSet("join with blank boardId", "{\"type\":\"join\",\"boardId\":\"  \"}", "boardId is required"),
                argumentSet("join with null boardId", "{\"type\":\"join\",\"boardId\":null}", "boardId is required"),
                argumentSet("join with numeric boardId", "{\"type\":\"join\",\"boardId\":1}", "boardId must be a string"),
                argumentSet("join with object boardId", "{\"type\":\"join\",\"boardId\":{\"id\":\"board-1\"}}",
                        "boardId must be a string"),
                argumentSet("leave without boardId", "{\"type\":\"leave\"}", "boardId is required"),
                argumentSet("leave with empty boardId", "{\"type\":\"leave\",\"boardId\":\"\"}", "boardId is required"));
    }

    @ParameterizedTest
    @MethodSource("badFrames")
    void badTextFrameGetsItsErrorAndTheSocketKeepsAnswering(String frame, String error) {
        try (WsClient client = WsClient.connect(server)) {
            client.send(frame);

            assertEquals(object("error", error), client.await(m -> true));
            client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            assertTrue(client.isOpen());
        }
    }

    @Test
    void unknownTypeErrorCarriesTheRef() {
        try (WsClient client = WsClient.connect(server)) {
            client.send("{\"type\":\"dance\",\"ref\":\"r-1\"}");

            assertEquals(object("error", "Unknown type: dance", "ref", "r-1"), client.await(m -> true));
            client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
        }
    }

    @Test
    void missingTypeErrorCarriesTheRef() {
        try (WsClient client = WsClient.connect(server)) {
            client.send("{\"type\":5,\"ref\":\"r-2\"}");

            assertEquals(object("error", "type is required", "ref", "r-2"), client.await(m -> true));
            client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
        }
    }

    @Test
    void binaryFrameGetsAnErrorAndTheSocketKeepsAnswering() {
        try (WsClient client = WsClient.connect(server)) {
            client.session().sendBinary(ByteBuffer.wrap("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8)),
                    Callback.NOOP);

            assertEquals(object("error", "Binary messages are not supported: send JSON text"), client.await(m -> true));
            client.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            assertTrue(client.isOpen());
        }
    }

    @Test
    void frameOfExactly64KiBIsStillAccepted() {
        try (WsClient client = WsClient.connect(server)) {
            client.send(padded("{\"type\":\"ping\",\"pad\":\"", "\"}", MAX_FRAME));

            assertEquals(object("type", "pong"), client.await(m -> true));
            assertTrue(client.isOpen());
        }
    }

    @Test
    void frameOver64KiBClosesOnlyThatSocketWith1009() {
        String board = http.newBoard("Oversized");
        try (WsClient offender = WsClient.connect(server); WsClient bystander = WsClient.connect(server)) {
            offender.join(board);
            bystander.join(board);

            offender.send(padded("{\"type\":\"ping\",\"pad\":\"", "\"}", MAX_FRAME + 1));

            assertEquals(1009, offender.awaitClose());
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 1), WsClient.withoutUser(bystander.awaitType("user_left")));
            JsonNode task = http.createTask(http.firstListOf(board), "after the big frame");
            assertEquals(event(board, 1, task), bystander.awaitType("task_created"));
            assertTrue(bystander.isOpen());
        }
    }

    @Test
    void burstOfMalformedFramesIsAnsweredOneErrorEachAndTheServerKeepsServing() {
        String board = http.newBoard("Burst");
        JsonNode boardBefore = http.get("/boards/" + board).json();
        List<String> frames = malformedFrames(new Random(20240611L), 2_000, board);
        try (WsClient noisy = WsClient.connect(server)) {
            noisy.join(board);
            noisy.awaitType("presence");

            frames.forEach(noisy::send);

            for (int i = 0; i < frames.size(); i++) {
                JsonNode reply = noisy.await(m -> true);
                assertTrue(reply.path("error").isTextual() && reply.size() <= 2
                        && !reply.path("error").asText().startsWith("Internal server error"),
                        "frame " + i + " " + abbreviate(frames.get(i)) + " got " + reply);
            }
            noisy.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));
            assertEquals(boardBefore, http.get("/boards/" + board).json());

            try (WsClient fresh = WsClient.connect(server)) {
                assertEquals(object("type", "joined", "boardId", board, "viewers", 2), WsClient.withoutPosition(fresh.join(board)));
                JsonNode task = http.createTask(http.firstListOf(board), "after the burst");
                assertEquals(event(board, 1, task), fresh.awaitType("task_created"));
                assertEquals(event(board, 1, task), noisy.awaitType("task_created"));
            }
        }
        Await.value("open WebSockets after the burst", 0,
                () -> http.get("/admin/connections").json().path("websocket").asInt());
    }

    // helpers

    /**
     * Frames that are each refused with one error and change nothing: random text, truncated and deeply
     * nested JSON, non-objects, bad types, and commands naming things that do not exist.
     */
    private static List<String> malformedFrames(Random random, int count, String board) {
        String[] valid = {
            "{\"type\":\"join\",\"boardId\":\"" + board + "\"}",
            "{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"x\",\"ref\":\"r\"}",
            "{\"type\":\"ping\"}",
        };
        String[] refused = {
            "{\"type\":\"create_task\",\"listId\":\"list-nope\",\"title\":\"x\",\"ref\":1}",
            "{\"type\":\"create_task\",\"title\":\"no list\"}",
            "{\"type\":\"create_task\",\"listId\":\"list-todo\"}",
            "{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":[1,2]}",
            "{\"type\":\"update_task\",\"taskId\":\"task-nope\",\"title\":\"x\"}",
            "{\"type\":\"update_task\",\"taskId\":\"task-nope\"}",
            "{\"type\":\"move_task\",\"taskId\":\"task-nope\",\"listId\":\"list-todo\",\"position\":-1}",
            "{\"type\":\"move_task\",\"taskId\":\"task-nope\",\"listId\":\"list-todo\",\"position\":1.5}",
            "{\"type\":\"delete_task\",\"taskId\":\"task-nope\"}",
            "{\"type\":\"delete_task\"}",
            "{\"type\":\"join\",\"boardId\":\"board-nope\"}",
            "{\"type\":\"join\",\"boardId\":1e400}",
            "{\"type\":\"leave\",\"boardId\":false}",
            "{\"type\":\"PING\"}",
            "{\"type\":\"\"}",
            "{\"type\":[\"ping\"]}",
            "{\"ref\":\"no type\"}",
            "[]", "123456789012345678901234567890", "true", "\"\"", "-0.0e-7",
            "{\"type\":\"\\u12\"}", "{\"type\":\"ping\",}", "{\"type\":\"ping\" \"x\":1}", "\u0000", " ",
        };
        List<String> frames = new ArrayList<>(count);
        while (frames.size() < count) {
            switch (random.nextInt(6)) {
                case 0 -> frames.add(randomText(random, 0x20, 0x7e, random.nextInt(60) + 1));
                case 1 -> frames.add(randomText(random, 0xa0, 0x2fff, random.nextInt(60) + 1) + "\uD83D\uDE00");
                case 2 -> {
                    String message = valid[random.nextInt(valid.length)];
                    frames.add(message.substring(0, 1 + random.nextInt(message.length() - 1)));
                }
                case 3 -> frames.add(refused[random.nextInt(refused.length)]);
                case 4 -> frames.add("[".repeat(1 + random.nextInt(3_000)));
                default -> frames.add("{\"type\":\"" + randomText(random, 'a', 'z', 1 + random.nextInt(12)) + "_x\"}");
            }
        }
        return frames;
    }

    private static String randomText(Random random, int from, int to, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(from + random.nextInt(to - from + 1));
        }
        return text.toString();
    }

    private static String abbreviate(String frame) {
        return frame.length() <= 80 ? frame : frame.substring(0, 80) + "…(" + frame.length() + " chars)";
    }

    /** {@code prefix + "x"… + suffix}, exactly {@code bytes} UTF-8 bytes long. */
    private static String padded(String prefix, String suffix, int bytes) {
        String frame = prefix + "x".repeat(bytes - prefix.length() - suffix.length()) + suffix;
        assertEquals(bytes, frame.getBytes(StandardCharsets.UTF_8).length);
        return frame;
    }

    private static JsonNode event(String boardId, int seq, JsonNode task) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", "task_created");
        fields.put("boardId", boardId);
        fields.put("seq", seq);
        fields.put("task", task);
        return Json.MAPPER.valueToTree(fields);
    }
}
