package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The polling fallback: short poll {@code /updates} and long poll {@code /poll} (2 s timeout in tests). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollingTest extends ServerTest {

    // ---- short poll: /updates

    @Test
    void updatesWithoutSinceAnswersEveryTaskInListThenTaskPositionOrder() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Board board = createBoard("Everything");
        JsonNode done1 = http.createTask(board.list(2), "done first");
        JsonNode todo1 = http.createTask(board.list(0), "todo one");
        JsonNode doing1 = http.createTask(board.list(1), "doing one");
        JsonNode todo2 = http.createTask(board.list(0), "todo two");
        JsonNode todo3 = http.createTask(board.list(0), "todo three");
        Http.Reply moved = http.patch("/tasks/" + id(todo3) + "/move",
                "{\"listId\":\"" + board.list(0) + "\",\"position\":0}");
        assertEquals(200, moved.status(), moved.body());

        Http.Reply reply = http.get("/boards/" + board.id() + "/updates");
        assertEquals(200, reply.status());
        JsonNode body = reply.json();
        assertEquals(Set.of("data", "deleted", "timestamp"), fieldNames(body));
        assertEquals(List.of(id(todo3), id(todo1), id(todo2), id(doing1), id(done1)), ids(body.path("data")));
        for (JsonNode task : body.path("data")) {
            assertEquals(http.get("/tasks/" + id(task)).json(), task);
        }
        assertEquals(0, body.path("deleted").size());
        assertTrue(body.path("deleted").isArray());
        assertTimestampBetween(body, before, Instant.now());
    }

    @Test
    void updatesSinceAnEarlierTimestampAnswersOnlyWhatChangedAndWhatWasDeleted() {
        Board board = createBoard("Since");
        JsonNode untouched = http.createTask(board.list(0), "untouched");
        JsonNode edited = http.createTask(board.list(0), "to be edited");
        JsonNode doomed = http.createTask(board.list(1), "to be deleted");
        JsonNode deletedEarly = http.createTask(board.list(1), "deleted before");
        assertEquals(204, http.delete("/tasks/" + id(deletedEarly)).status());
        Instant since = timestampAfterEverythingSoFar(board);

        JsonNode fresh = http.createTask(board.list(2), "created after");
        Http.Reply patched = http.patch("/tasks/" + id(edited), "{\"description\":\"now edited\"}");
        assertEquals(200, patched.status());
        assertEquals(204, http.delete("/tasks/" + id(doomed)).status());

        Http.Reply reply = http.get("/boards/" + board.id() + "/updates?since=" + since);
        assertEquals(200, reply.status(), reply.body());
        JsonNode body = reply.json();
        assertEquals(List.of(id(edited), id(fresh)), ids(body.path("data")));
        assertEquals(patched.json(), body.path("data").path(0));
        assertEquals(fresh, body.path("data").path(1));
        assertEquals(List.of(id(doomed)), texts(body.path("deleted")));
        assertFalse(ids(body.path("data")).contains(id(untouched)));
        assertTimestampBetween(body, since, Instant.now());
    }

    @Test
    void updatesWithAnInvalidSinceIsBadRequest() {
        Http.Reply reply = http.get("/boards/board-1/updates?since=yesterday");
        assertEquals(400, reply.status());
        assertEquals("since must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
                reply.json().path("error").asText());
    }

    @Test
    void updatesOfAnUnknownBoardIsNotFound() {
        Http.Reply reply = http.get("/boards/nope/updates");
        assertEquals(404, reply.status());
        assertEquals("{\"error\":\"Board not found: nope\"}", reply.json().toString());
    }

    // ---- long poll: /poll

    @Test
    void longPollIsHeldUntilAChangeAndAnswersIt() {
        Board board = createBoard("Held");
        CompletableFuture<HttpResponse<String>> poll = startPoll("/boards/" + board.id() + "/poll");
        assertPending(poll);

        JsonNode created = http.createTask(board.list(0), "wakes the poll");

        JsonNode body = answer(poll, 200);
        assertEquals(List.of(created), list(body.path("data")));
        assertEquals(0, body.path("deleted").size());
        assertFalse(body.has("timeout"), body.toString());
        assertTimestampBetween(body, Instant.parse(created.path("updatedAt").asText()), Instant.now());
    }

    @Test
    void longPollWithNothingHappeningTimesOutWithEmptyData() {
        Board board = createBoard("Quiet");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> poll = startPoll("/boards/" + board.id() + "/poll");

        JsonNode body = answer(poll, 200);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(Set.of("data", "timeout", "timestamp"), fieldNames(body));
        assertTrue(body.path("data").isArray());
        assertEquals(0, body.path("data").size());
        assertTrue(body.path("timeout").isBoolean() && body.path("timeout").booleanValue(), body.toString());
        assertTimestampBetween(body, before, Instant.now());
        assertTrue(elapsedMillis >= 1500, "answered after " + elapsedMillis + " ms, before the 2 s timeout");
    }

    @Test
    void longPollWithSinceOlderThanAChangeAnswersAtOnce() {
        Board board = createBoard("Already changed");
        Instant since = timestampAfterEverythingSoFar(board);
        JsonNode created = http.createTask(board.list(1), "made before the poll");

        long started = System.nanoTime();
        JsonNode body = answer(startPoll("/boards/" + board.id() + "/poll?since=" + since), 200);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(List.of(created), list(body.path("data")));
        assertEquals(0, body.path("deleted").size());
        assertFalse(body.has("timeout"), body.toString());
        assertTrue(elapsedMillis < 1500, "answered after " + elapsedMillis + " ms: it waited instead");
    }

    @Test
    void changeOnAnotherBoardDoesNotWakeTheLongPoll() {
        CompletableFuture<HttpResponse<String>> poll = startPoll("/boards/board-1/poll");
        assertPending(poll);

        JsonNode other = http.createTask("list-2-todo", "board two only");
        assertEquals("board-2", other.path("boardId").asText());

        JsonNode body = answer(poll, 200);
        assertEquals(0, body.path("data").size(), body.toString());
        assertTrue(body.path("timeout").asBoolean(), body.toString());
    }

    @Test
    void deleteWakesTheLongPollAndIsListedInDeleted() {
        Board board = createBoard("Deletion");
        JsonNode task = http.createTask(board.list(0), "short lived");
        CompletableFuture<HttpResponse<String>> poll = startPoll("/boards/" + board.id() + "/poll");
        assertPending(poll);

        assertEquals(204, http.delete("/tasks/" + id(task)).status());

        JsonNode body = answer(poll, 200);
        assertEquals(List.of(id(task)), texts(body.path("deleted")));
        assertEquals(0, body.path("data").size(), body.toString());
        assertFalse(body.has("timeout"), body.toString());
    }

    @Test
    void longPollOfAnUnknownBoardIsNotFoundAtOnce() {
        long started = System.nanoTime();
        Http.Reply reply = http.get("/boards/nope/poll");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(404, reply.status());
        assertEquals("{\"error\":\"Board not found: nope\"}", reply.json().toString());
        assertTrue(elapsedMillis < 1500, "answered after " + elapsedMillis + " ms: it waited instead");
    }

    @Test
    void longPollWithAnInvalidSinceIsBadRequest() {
        Http.Reply reply = http.get("/boards/board-1/poll?since=12:00");
        assertEquals(400, reply.status());
        assertEquals("since must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
                reply.json().path("error").asText());
    }

    // ---- helpers

    private record Board(String id, List<String> lists) {
        String list(int index) {
            return lists.get(index);
        }
    }

    private static Board createBoard(String name) {
        Http.Reply created = http.post("/boards", Json.write(Map.of("name", name)));
        assertEquals(201, created.status(), created.body());
        String id = created.json().path("id").asText();
        List<String> lists = new ArrayList<>();
        http.get("/boards/" + id).json().path("lists").forEach(list -> lists.add(list.path("id").asText()));
        assertEquals(3, lists.size());
        return new Board(id, lists);
    }

    /**
     * A short-poll timestamp strictly later than every change made so far on the board, so that changes made
     * from now on, and only those, are "since" it (the server's {@code since} is inclusive, to the millisecond).
     */
    private static Instant timestampAfterEverythingSoFar(Board board) {
        Instant lastChange = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant[] timestamp = new Instant[1];
        Await.until("a short poll timestamp after the board's last change", () -> {
            timestamp[0] = Instant.parse(http.get("/boards/" + board.id() + "/updates").json()
                    .path("timestamp").asText());
            return timestamp[0].isAfter(lastChange);
        });
        return timestamp[0];
    }

    private static CompletableFuture<HttpResponse<String>> startPoll(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .timeout(Duration.ofSeconds(20)).GET().build();
        return http.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The poll has not answered for a while: the server is holding it. */
    private static void assertPending(CompletableFuture<HttpResponse<String>> poll) {
        assertThrows(TimeoutException.class, () -> poll.get(500, TimeUnit.MILLISECONDS),
                "the long poll answered before anything changed");
    }

    private static JsonNode answer(CompletableFuture<HttpResponse<String>> poll, int status) {
        try {
            HttpResponse<String> response = poll.get(15, TimeUnit.SECONDS);
            assertEquals(status, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
            return Json.parse(response.body());
        } catch (Exception e) {
            throw new AssertionError("The long poll did not answer", e);
        }
    }

    private static void assertTimestampBetween(JsonNode body, Instant earliest, Instant latest) {
        Instant timestamp = Instant.parse(body.path("timestamp").asText());
        assertFalse(timestamp.isBefore(earliest.truncatedTo(ChronoUnit.MILLIS)),
                timestamp + " is before " + earliest);
        assertFalse(timestamp.isAfter(latest), timestamp + " is after " + latest);
    }

    private static String id(JsonNode task) {
        return task.path("id").asText();
    }

    private static List<String> ids(JsonNode tasks) {
        List<String> ids = new ArrayList<>();
        tasks.forEach(task -> ids.add(id(task)));
        return ids;
    }

    private static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), String.valueOf(array));
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<JsonNode> list(JsonNode array) {
        assertTrue(array.isArray(), String.valueOf(array));
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static Set<String> fieldNames(JsonNode body) {
        Set<String> names = new HashSet<>();
        body.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
