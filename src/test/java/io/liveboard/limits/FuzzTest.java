package io.liveboard.limits;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.ServerTest;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of random and malformed frames from several sockets at once (the message rate left high so all
 * are processed): each gets exactly one well-formed reply, nothing but valid creates changes anything, and
 * afterwards the server serves everyone as before: the fuzzing sockets, the room's members, new clients and
 * REST. Run with {@code -Dliveboard.fuzz.seed=N} to replay a seed (each run prints its own).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuzzTest extends ServerTest {

    private static final int SOCKETS = 5;
    private static final int FRAMES_PER_SOCKET = 1_000;

    @Test
    void thousandsOfRandomAndMalformedFramesLeaveTheServerServingEveryone() throws Exception {
        long seed = Long.getLong("liveboard.fuzz.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        String board = http.newBoard("Fuzz");
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        List<String> listIds = new ArrayList<>();
        lists.forEach(list -> listIds.add(list.path("id").asText()));
        List<String> sentinels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sentinels.add(http.createTask(listIds.get(i % 2), "sentinel " + i).path("id").asText());
        }
        Map<String, JsonNode> sentinelsBefore = tasksById(board);
        JsonNode board1Before = http.get("/boards/board-1").json();
        long seqBefore = http.get("/boards/" + board).json().path("seq").asLong();

        FuzzFrames generator = new FuzzFrames(random, board, listIds, sentinels, "list-todo");
        List<WsClient> fuzzers = new ArrayList<>();
        try (WsClient member = WsClient.connect(server);
                SseClient stream = SseClient.open(server, "/boards/" + board + "/events")) {
            member.join(board);
            stream.await(e -> e.data() != null && e.data().contains("\"connected\""));
            for (int s = 0; s < SOCKETS; s++) {
                fuzzers.add(WsClient.connect(server));
            }

            // the fuzz: frame i of every socket, then frame i + 1, ...; all sent without waiting
            List<List<FuzzFrames.Frame>> sent = new ArrayList<>();
            fuzzers.forEach(f -> sent.add(new ArrayList<>()));
            Map<String, Integer> kinds = new TreeMap<>();
            for (int i = 0; i < FRAMES_PER_SOCKET; i++) {
                for (int s = 0; s < SOCKETS; s++) {
                    FuzzFrames.Frame frame = generator.next("s" + s);
                    sent.get(s).add(frame);
                    kinds.merge(frame.kind(), 1, Integer::sum);
                    if (frame.binary() != null) {
                        fuzzers.get(s).session().sendBinary(ByteBuffer.wrap(frame.binary()), Callback.NOOP);
                    } else {
                        fuzzers.get(s).send(frame.text());
                    }
                }
            }
            // a leave of a board nobody is in, handled after every earlier frame of the socket (room changes
            // and typing replies included, on the fan-out thread): its "left" closes the socket's replies
            for (int s = 0; s < SOCKETS; s++) {
                fuzzers.get(s).send("{\"type\":\"leave\",\"boardId\":\"zz-fuzz-end-" + s + "\"}");
            }

            Map<String, Integer> replies = new TreeMap<>();
            Map<String, Integer> errors = new TreeMap<>();
            Map<String, JsonNode> created = new HashMap<>();
            int answered = 0;
            for (int s = 0; s < SOCKETS; s++) {
                WsClient fuzzer = fuzzers.get(s);
                String marker = "zz-fuzz-end-" + s;
                Await.until("socket " + s + " has answered its last frame, or was closed", Duration.ofSeconds(60),
                        () -> !fuzzer.isOpen() || fuzzer.drain().stream().anyMatch(m -> marker.equals(m.path("boardId").asText())));
                assertTrue(fuzzer.isOpen(), "seed " + seed + ": socket " + s + " was closed by the server ("
                        + fuzzer.closeReason() + ") after " + fuzzer.drain().size() + " messages; the last: "
                        + fuzzer.drain().subList(Math.max(0, fuzzer.drain().size() - 3), fuzzer.drain().size()));
                List<JsonNode> got = fuzzer.drain().stream()
                        .filter(m -> !"connected".equals(m.path("type").asText()))
                        .filter(m -> !marker.equals(m.path("boardId").asText())).toList();
                assertEquals(FRAMES_PER_SOCKET, got.size(), "seed " + seed + ": socket " + s + " got "
                        + got.size() + " replies to " + FRAMES_PER_SOCKET + " frames");
                answered += got.size();
                Map<String, String> refsByTitle = new HashMap<>();
                sent.get(s).stream().filter(f -> f.createTitle() != null)
                        .forEach(f -> refsByTitle.put(f.createTitle(), f.createRef()));
                for (JsonNode reply : got) {
                    String what = reply.has("error") ? "error" : reply.path("type").asText("?");
                    replies.merge(what, 1, Integer::sum);
                    switch (what) {
                        case "error" -> {
                            assertTrue(reply.path("error").isTextual() && (reply.size() == 1
                                    || reply.size() == 2 && reply.has("ref")), "seed " + seed + ": " + abbreviate(reply));
                            String message = reply.path("error").asText();
                            assertTrue(!message.startsWith("Internal server error"), "seed " + seed + ": " + abbreviate(reply));
                            errors.merge(message.replaceAll("(?s)(?<=: ).*", "…").replaceAll("task-\\d+", "task-…"), 1, Integer::sum);
                        }
                        case "ack" -> {
                            // only creates may succeed; every one of them was meant to
                            JsonNode task = reply.path("task");
                            assertEquals(board, task.path("boardId").asText(), "seed " + seed + ": " + reply);
                            assertTrue(!sentinels.contains(task.path("id").asText()), "seed " + seed
                                    + ": a refused-by-design command was acked: " + reply);
                            String title = task.path("title").asText();
                            assertTrue(refsByTitle.containsKey(title), "seed " + seed + ": ack of an unexpected create " + reply);
                            assertEquals(Json.parse(refsByTitle.get(title)), reply.path("ref"), "seed " + seed + ": " + reply);
                            created.put(task.path("id").asText(), task);
                        }
                        case "pong", "left" -> { }
                        default -> throw new AssertionError("seed " + seed + ": unexpected reply " + abbreviate(reply));
                    }
                }
            }
            long validCreates = sent.stream().flatMap(List::stream).filter(f -> f.createTitle() != null).count();
            System.out.printf("fuzz seed %d: %d sockets sent %d frames %s; %d answered %s%n  errors %s%n",
                    seed, SOCKETS, SOCKETS * FRAMES_PER_SOCKET, kinds, answered, replies, errors);
            assertEquals(validCreates, created.size(), "seed " + seed + ": every valid create is acked");

            // nothing changed but the acked creates: sentinels as they were, other boards untouched
            Map<String, JsonNode> after = tasksById(board);
            sentinelsBefore.forEach((id, task) -> assertEquals(task, after.get(id), "seed " + seed + ": sentinel " + id));
            assertEquals(sentinelsBefore.size() + created.size(), after.size(), "seed " + seed);
            created.forEach((id, task) -> assertEquals(task, after.get(id), "seed " + seed + ": created " + id));
            assertEquals(board1Before, http.get("/boards/board-1").json(), "seed " + seed + ": board-1 changed");
            assertEquals(seqBefore + created.size(), http.get("/boards/" + board).json().path("seq").asLong());

            // the room's member and stream got exactly the creates, in order, with no gap
            for (int i = 1; i <= created.size(); i++) {
                long seq = seqBefore + i;
                JsonNode event = member.await(m -> m.path("type").asText().startsWith("task_"));
                assertEquals("task_created", event.path("type").asText());
                assertEquals(seq, event.path("seq").asLong(), "seed " + seed + ": " + event);
                assertEquals(created.get(event.path("task").path("id").asText()), event.path("task"));
                SseClient.Event streamed = stream.await(e -> e.event().startsWith("task_"));
                assertEquals(event, streamed.json());
            }
            member.assertNoneBeforePong(m -> !"pong".equals(m.path("type").asText()));

            // everyone is still served: the fuzzers, a newcomer, the member, the stream and REST
            for (WsClient fuzzer : fuzzers) {
                assertTrue(fuzzer.isOpen());
                fuzzer.send("{\"type\":\"ping\"}");
                assertEquals(object("type", "pong"), fuzzer.await(m -> true));
            }
            assertEquals(object("status", "ok"), http.get("/healthz").json());
            try (WsClient newcomer = WsClient.connect(server)) {
                assertEquals(2, newcomer.join(board).path("viewers").asInt());
                assertEquals(3, newcomer.awaitType("presence").path("users").size(), "the member, the stream, the newcomer");
                fuzzers.get(0).join(board);
                JsonNode task = http.createTask(listIds.get(2), "after the fuzz");
                assertEquals(task, newcomer.awaitType("task_created").path("task"));
                assertEquals(task, member.awaitType("task_created").path("task"));
                assertEquals(task, fuzzers.get(0).awaitType("task_created").path("task"));
                assertEquals(task, stream.awaitEvent("task_created").json().path("task"));
                fuzzers.get(1).send("{\"type\":\"create_task\",\"listId\":\"" + listIds.get(0) + "\",\"title\":\"by a fuzzer\",\"ref\":\"ok\"}");
                JsonNode ack = fuzzers.get(1).awaitType("ack");
                assertEquals(ack.path("task"), newcomer.awaitType("task_created").path("task"));
            }
        } finally {
            fuzzers.forEach(WsClient::close);
        }
        Await.value("open WebSockets after the fuzz", 0, () -> http.connections().path("websocket").asInt());
    }

    private static Map<String, JsonNode> tasksById(String board) {
        Map<String, JsonNode> tasks = new HashMap<>();
        http.get("/boards/" + board).json().path("lists")
                .forEach(list -> list.path("tasks").forEach(task -> tasks.put(task.path("id").asText(), task)));
        return tasks;
    }

    private static String abbreviate(JsonNode reply) {
        String text = reply.toString();
        return text.length() <= 300 ? text : text.substring(0, 300) + "…(" + text.length() + " chars)";
    }
}
