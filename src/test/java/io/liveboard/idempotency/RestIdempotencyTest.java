package io.liveboard.idempotency;

import static io.liveboard.idempotency.Keys.REPLAYED;
import static io.liveboard.idempotency.Keys.SEQ;
import static io.liveboard.idempotency.Keys.keyed;
import static io.liveboard.idempotency.Keys.seq;
import static io.liveboard.idempotency.Keys.titles;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REST changes with an {@code Idempotency-Key} (issue 11, "a change is applied once"): a retry with the same key
 * and the same command gets the first answer again ({@code Idempotent-Replayed: true}) and changes nothing, no
 * event included; every change that caused an event answers with its {@code Liveboard-Seq}. Each test uses a
 * new board, so that its events are numbered from 1, and new keys (authentication is off: one scope for all).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestIdempotencyTest extends ServerTest {

    private static final String BAD_KEY = "Idempotency-Key must be 1-200 printable ASCII characters";
    private static final String REUSED = "Idempotency-Key was already used for a different request";

    @Test
    void aCreateSentTwiceMakesOneTaskAnswersTheSameTwiceAndCausesOneEvent() {
        String board = http.newBoard("Create once");
        String list = http.firstListOf(board);
        try (WsClient socket = WsClient.connect(server)) {
            socket.join(board);
            String key = Keys.fresh();
            String body = Json.write(Map.of("listId", list, "title", "Once only"));

            Http.Reply first = keyed(http, "POST", "/tasks", body, key);
            assertEquals(201, first.status(), first.body());
            assertEquals("1", first.header(SEQ));
            assertNull(first.header(REPLAYED));
            JsonNode event = socket.awaitType("task_created");
            assertEquals(object("type", "task_created", "boardId", board, "seq", 1, "task", first.json()), event);

            Http.Reply again = keyed(http, "POST", "/tasks", body, key);
            assertEquals(201, again.status(), again.body());
            assertEquals(first.body(), again.body(), "the same body, byte for byte");
            assertEquals("true", again.header(REPLAYED));
            assertEquals("1", again.header(SEQ));
            assertEquals(List.of("Once only"), titles(http, board));
            assertEquals(1, seq(http, board), "the retry caused no event");

            // the task changes, then goes: a late retry still gets the first answer, and makes nothing
            String taskId = first.json().path("id").asText();
            assertEquals(200, http.patch("/tasks/" + taskId, "{\"title\":\"Renamed\"}").status());
            assertEquals(204, http.delete("/tasks/" + taskId).status());
            Http.Reply late = keyed(http, "POST", "/tasks", body, key);
            assertEquals(201, late.status(), late.body());
            assertEquals(first.body(), late.body());
            assertEquals("true", late.header(REPLAYED));
            assertEquals("1", late.header(SEQ));
            assertEquals(List.of(), titles(http, board));
            assertEquals(3, seq(http, board));

            // the socket got created, updated, deleted, then the marker: no second task_created in between
            JsonNode marker = http.createTask(list, "marker");
            assertEquals(List.of("task_updated 2", "task_deleted 3", "task_created 4 " + marker.path("id").asText()),
                    List.of(taskEvent(socket), taskEvent(socket), taskEvent(socket)));
        }
    }

    @Test
    void anUpdateAMoveAndADeleteSentTwiceAreAppliedOnceAndAnsweredTheSameTwice() {
        String board = http.newBoard("Change once");
        JsonNode lists = http.get("/boards/" + board).json().path("lists");
        String todo = lists.path(0).path("id").asText();
        String done = lists.path(2).path("id").asText();
        try (WsClient socket = WsClient.connect(server)) {
            socket.join(board);
            String taskId = http.createTask(todo, "Moving").path("id").asText();
            http.createTask(done, "Already done");
            assertEquals("task_created 1 " + taskId, taskEvent(socket));
            taskEvent(socket);

            Http.Reply updated = appliedOnce(board, socket, "PATCH", "/tasks/" + taskId,
                    "{\"title\":\"Moved\",\"description\":\"twice sent\"}", 200, "task_updated");
            assertEquals("Moved", updated.json().path("title").asText());
            Http.Reply moved = appliedOnce(board, socket, "PATCH", "/tasks/" + taskId + "/move",
                    Json.write(Map.of("listId", done, "position", 0)), 200, "task_moved");
            assertEquals(object("listId", done, "position", 0), object("listId", moved.json().path("listId").asText(),
                    "position", moved.json().path("position").asInt()));
            assertEquals(List.of("Moved", "Already done"), titles(http, board), "moved once, to the top of Done");
            Http.Reply deleted = appliedOnce(board, socket, "DELETE", "/tasks/" + taskId, null, 204, "task_deleted");
            assertEquals("", deleted.body());
            assertEquals(List.of("Already done"), titles(http, board));

            JsonNode marker = http.createTask(todo, "marker");
            assertEquals("task_created 6 " + marker.path("id").asText(), taskEvent(socket),
                    "no retry caused an event");
        }
    }

    /**
     * Sends the change twice with one new key: the first applies it (one event, {@code Liveboard-Seq} its
     * number), the second gets the same status and body with {@code Idempotent-Replayed: true} and causes nothing.
     */
    private static Http.Reply appliedOnce(String board, WsClient socket, String method, String path, String json,
            int status, String eventType) {
        String key = Keys.fresh();
        long next = seq(http, board) + 1;
        Http.Reply first = keyed(http, method, path, json, key);
        assertEquals(status, first.status(), method + " " + path + ": " + first.body());
        assertEquals(String.valueOf(next), first.header(SEQ));
        assertNull(first.header(REPLAYED));
        assertTrue(taskEvent(socket).startsWith(eventType + " " + next), eventType);

        Http.Reply again = keyed(http, method, path, json, key);
        assertEquals(status, again.status(), "retry of " + method + " " + path + ": " + again.body());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.header(REPLAYED));
        assertEquals(String.valueOf(next), again.header(SEQ));
        assertEquals(next, seq(http, board), "the retry of " + method + " " + path + " caused no event");
        return first;
    }

    /** The socket's next task event as "type seq [taskId of a creation]". */
    private static String taskEvent(WsClient socket) {
        JsonNode event = socket.await(m -> m.path("type").asText().startsWith("task_"));
        String type = event.path("type").asText();
        return type + " " + event.path("seq").asLong()
                + (type.equals("task_created") ? " " + event.path("task").path("id").asText() : "");
    }

    @Test
    void theSameCommandSpelledOtherwiseIsTheSameCommand() {
        String board = http.newBoard("Canonical");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        Http.Reply first = keyed(http, "POST", "/tasks", "{\"listId\":\"" + list + "\",\"title\":\"  Spaced  \"}", key);
        assertEquals(201, first.status(), first.body());
        // other field order, the title as it is stored, the absent description given as null, an unknown field
        Http.Reply again = keyed(http, "POST", "/tasks",
                "{\"title\":\"Spaced\",\"description\":null,\"listId\":\"" + list + "\",\"color\":\"red\"}", key);
        assertEquals(201, again.status(), again.body());
        assertEquals("true", again.header(REPLAYED));
        assertEquals(first.body(), again.body());
        assertEquals(List.of("Spaced"), titles(http, board));
    }

    @Test
    void aKeyUsedForOneCommandRefusesAnotherAndChangesNothing() {
        String board = http.newBoard("Conflict");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        Http.Reply first = keyed(http, "POST", "/tasks", Json.write(Map.of("listId", list, "title", "A")), key);
        assertEquals(201, first.status(), first.body());
        String taskId = first.json().path("id").asText();

        List<Http.Reply> refused = List.of(
                keyed(http, "POST", "/tasks", Json.write(Map.of("listId", list, "title", "B")), key),
                keyed(http, "POST", "/tasks", Json.write(Map.of("listId", list, "title", "A", "description", "d")),
                        key),
                keyed(http, "PATCH", "/tasks/" + taskId, "{\"title\":\"A\"}", key),
                keyed(http, "DELETE", "/tasks/" + taskId, null, key),
                keyed(http, "POST", "/boards/" + board + "/lists", "{\"name\":\"A\"}", key));
        for (Http.Reply reply : refused) {
            assertEquals(422, reply.status(), reply.body());
            assertEquals(object("error", REUSED), reply.json());
            assertNull(reply.header(REPLAYED));
            assertNull(reply.header(SEQ));
        }
        assertEquals(List.of("A"), titles(http, board));
        assertEquals(1, seq(http, board));
        assertEquals(3, http.get("/boards/" + board).json().path("lists").size());
    }

    @Test
    void aMalformedKeyIsRefusedBeforeAnythingChanges() {
        String board = http.newBoard("Bad keys");
        String body = Json.write(Map.of("listId", http.firstListOf(board), "title", "Never"));
        for (String bad : List.of("", "x".repeat(201), "two words", "tab\there")) {
            Http.Reply reply = send(body, List.of(bad));
            assertEquals(400, reply.status(), "key '" + bad + "': " + reply.body());
            assertEquals(object("error", BAD_KEY), reply.json(), "key '" + bad + "'");
        }
        // bytes beyond printable ASCII, which the JDK client would not send as they are: é in UTF-8 and in
        // ISO-8859-1; a control character (DEL) is refused by the HTTP parser already, in its own words
        for (byte[] bad : List.of("caf\u00e9".getBytes(StandardCharsets.UTF_8),
                "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1))) {
            HttpWire.Answer answer = raw(body, bad);
            assertEquals(400, answer.status(), "key bytes " + Arrays.toString(bad) + ": " + answer.body());
            assertEquals(object("error", BAD_KEY), answer.json());
        }
        assertEquals(400, raw(body, new byte[] {'d', 'e', 'l', 0x7F}).status());
        Http.Reply twice = send(body, List.of(Keys.fresh(), Keys.fresh()));
        assertEquals(400, twice.status(), "two keys: " + twice.body());
        assertEquals(object("error", BAD_KEY), twice.json());
        assertEquals(List.of(), titles(http, board));
        assertEquals(0, seq(http, board));

        // the longest and the oddest keys that are allowed
        String longest = Keys.fresh() + "-" + "k".repeat(200 - 37);
        assertEquals(201, send(body, List.of(longest)).status());
        assertEquals("true", send(body, List.of(longest)).header(REPLAYED));
        String odd = "!~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}" + Keys.fresh();
        assertEquals(201, send(Json.write(Map.of("listId", http.firstListOf(board), "title", "Odd")), List.of(odd))
                .status());
        assertEquals(List.of("Never", "Odd"), titles(http, board));
    }

    /** {@code POST /tasks} with one {@code Idempotency-Key} header per value. */
    private static Http.Reply send(String body, List<String> keys) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http("/tasks")))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        keys.forEach(key -> request.header(Keys.HEADER, key));
        return Http.reply(http.client(), request.build(), "POST /tasks");
    }

    /** {@code POST /tasks} written by hand on a socket, with the key's bytes as they are. */
    private static HttpWire.Answer raw(String body, byte[] key) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n"
                    + Keys.HEADER + ": ").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(key);
            request.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            socket.getOutputStream().write(request.toByteArray());
            InputStream in = socket.getInputStream();
            int status = Integer.parseInt(HttpWire.line(in).split(" ")[1]);
            Map<String, String> headers = HttpWire.headers(in);
            return new HttpWire.Answer(status, headers, HttpWire.body(in, headers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aRefusedFirstTryKeepsNothingSoTheKeyMayBeRetried() {
        String board = http.newBoard("Refused first");
        String list = http.firstListOf(board);
        String key = Keys.fresh();
        Http.Reply unknownList = keyed(http, "POST", "/tasks", "{\"listId\":\"list-nowhere\",\"title\":\"T\"}", key);
        assertEquals(404, unknownList.status(), unknownList.body());
        Http.Reply noTitle = keyed(http, "POST", "/tasks", Json.write(Map.of("listId", list)), key);
        assertEquals(400, noTitle.status(), noTitle.body());

        String body = Json.write(Map.of("listId", list, "title", "T"));
        Http.Reply applied = keyed(http, "POST", "/tasks", body, key);
        assertEquals(201, applied.status(), applied.body());
        assertNull(applied.header(REPLAYED), "the first success applies");
        Http.Reply replayed = keyed(http, "POST", "/tasks", body, key);
        assertEquals("true", replayed.header(REPLAYED));
        assertEquals(applied.body(), replayed.body());
        assertEquals(List.of("T"), titles(http, board));
    }

    @Test
    void ofRequestsWithOneKeyAtTheSameMomentOneAppliesAndTheOthersGetItsAnswer() throws Exception {
        String board = http.newBoard("Same moment");
        String body = Json.write(Map.of("listId", http.firstListOf(board), "title", "Raced"));
        String key = Keys.fresh();
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return keyed(http, "POST", "/tasks", body, key);
                }));
            }
            start.countDown();
            List<Http.Reply> answers = new ArrayList<>();
            for (Future<Http.Reply> reply : replies) {
                answers.add(reply.get(20, TimeUnit.SECONDS));
            }
            assertEquals(Set.of(201), answers.stream().map(Http.Reply::status).collect(Collectors.toSet()));
            assertEquals(1, answers.stream().filter(a -> a.header(REPLAYED) == null).count(), "one applies");
            assertEquals(1, answers.stream().map(Http.Reply::body).distinct().count(), "one answer for all");
            assertEquals(Set.of("1"), answers.stream().map(a -> a.header(SEQ)).collect(Collectors.toSet()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("Raced"), titles(http, board));
        assertEquals(1, seq(http, board));
    }

    @Test
    void everyChangeThatCausedAnEventAnswersWithItsNumber() {
        Http.Reply created = http.post("/boards", "{\"name\":\"Numbered\"}");
        assertEquals(201, created.status(), created.body());
        assertNull(created.header(SEQ), "a board's creation causes no event");
        String board = created.json().path("id").asText();

        Http.Reply list = http.post("/boards/" + board + "/lists", "{\"name\":\"Later\"}");
        assertEquals(List.of(201, "1"), List.of(list.status(), list.header(SEQ)));
        Http.Reply task = http.post("/tasks", Json.write(Map.of("listId", list.json().path("id").asText(), "title", "t")));
        assertEquals(List.of(201, "2"), List.of(task.status(), task.header(SEQ)));
        String path = "/tasks/" + task.json().path("id").asText();
        assertNull(http.get(path).header(SEQ), "a read is not a change");
        Http.Reply updated = http.patch(path, "{\"description\":\"d\"}");
        assertEquals(List.of(200, "3"), List.of(updated.status(), updated.header(SEQ)));
        Http.Reply moved = http.patch(path + "/move", Json.write(Map.of("listId", http.firstListOf(board))));
        assertEquals(List.of(200, "4"), List.of(moved.status(), moved.header(SEQ)));
        Http.Reply deleted = http.delete(path);
        assertEquals(List.of(204, "5"), List.of(deleted.status(), deleted.header(SEQ)));
        assertEquals(5, seq(http, board));
    }

    @Test
    void aBoardAndAListCreatedTwiceWithOneKeyAreCreatedOnce() {
        int boards = http.get("/boards").json().size();
        String key = Keys.fresh();
        Http.Reply board = keyed(http, "POST", "/boards", "{\"name\":\"Once\"}", key);
        assertEquals(201, board.status(), board.body());
        Http.Reply boardAgain = keyed(http, "POST", "/boards", "{\"name\":\"Once\"}", key);
        assertEquals(List.of(201, "true"), List.of(boardAgain.status(), boardAgain.header(REPLAYED)));
        assertEquals(board.body(), boardAgain.body());
        assertNull(boardAgain.header(SEQ));
        assertEquals(boards + 1, http.get("/boards").json().size());

        String boardId = board.json().path("id").asText();
        String listKey = Keys.fresh();
        Http.Reply list = keyed(http, "POST", "/boards/" + boardId + "/lists", "{\"name\":\"Icebox\"}", listKey);
        Http.Reply listAgain = keyed(http, "POST", "/boards/" + boardId + "/lists", "{\"name\":\"Icebox\"}", listKey);
        assertEquals(List.of(201, "1", 201, "1", "true"), List.of(list.status(), list.header(SEQ),
                listAgain.status(), listAgain.header(SEQ), listAgain.header(REPLAYED)));
        assertEquals(list.body(), listAgain.body());
        assertEquals(4, http.get("/boards/" + boardId).json().path("lists").size());
    }

    @Test
    void browsersOfOtherSitesMaySendAKeyAndReadTheAnswersHeaders() {
        String origin = "http://localhost:5173";
        Http.Reply preflight = http.request("OPTIONS", "/tasks", null, Map.of("Origin", origin,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type, idempotency-key"));
        assertEquals(204, preflight.status(), preflight.body());
        assertTrue(lowerCaseItems(preflight.header("Access-Control-Allow-Headers")).contains("idempotency-key"),
                "Access-Control-Allow-Headers: " + preflight.header("Access-Control-Allow-Headers"));

        String board = http.newBoard("Cross-site keys");
        Http.Reply created = keyed(http, "POST", "/tasks",
                Json.write(Map.of("listId", http.firstListOf(board), "title", "From a page")), Keys.fresh(),
                "Origin", origin);
        assertEquals(201, created.status(), created.body());
        assertEquals(origin, created.header("Access-Control-Allow-Origin"));
        assertTrue(lowerCaseItems(created.header("Access-Control-Expose-Headers"))
                        .containsAll(Set.of("liveboard-seq", "idempotent-replayed")),
                "Access-Control-Expose-Headers: " + created.header("Access-Control-Expose-Headers"));
    }

    private static Set<String> lowerCaseItems(String header) {
        return header == null ? Set.of() : Arrays.stream(header.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }
}
