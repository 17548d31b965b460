package io.liveboard.http;

import static io.liveboard.http.Requests.error;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Times out of range (issue 9, item 4): a {@code since} that {@link java.time.Instant} can parse but that lies outside
 * 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z is bad input (400), not a storage failure (503).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeRangeTest extends ServerTest {

    private static final String MESSAGE = "since must be an ISO-8601 time such as 2026-01-31T12:00:00Z";

    private static String taskId;

    @BeforeAll
    static void fixture() {
        taskId = http.createTask("list-todo", "Timed").path("id").asText();
    }

    @Test
    void sinceFarOutOfRangeIs400OnUpdatesAndPoll() {
        assertBadSince(List.of("%2B999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z"));
    }

    @Test
    void sinceJustOutsideTheRangeIs400() {
        assertBadSince(List.of("%2B10000-01-01T00:00:00Z", "-0001-12-31T23:59:59.999Z"));
    }

    /** Guard: the ends of the range are times like any other. */
    @Test
    void sinceAtTheEndsOfTheRangeIsAnswered() {
        Http.Reply first = http.get("/boards/board-1/updates?since=0000-01-01T00:00:00Z");
        assertEquals(200, first.status(), first.body());
        assertTrue(ids(first.json().path("data")).contains(taskId), first.body());

        Http.Reply last = http.get("/boards/board-1/updates?since=9999-12-31T23:59:59.999Z");
        assertEquals(200, last.status(), last.body());
        assertEquals(List.of(), ids(last.json().path("data")), last.body());
    }

    /** Guard: an ordinary since still works on both routes. */
    @Test
    void anOrdinarySinceStillWorks() {
        Http.Reply updates = http.get("/boards/board-1/updates?since=2000-01-01T00:00:00Z");
        assertEquals(200, updates.status(), updates.body());
        assertTrue(ids(updates.json().path("data")).contains(taskId), updates.body());

        long start = System.nanoTime();
        Http.Reply poll = http.get("/boards/board-1/poll?since=2000-01-01T00:00:00Z");
        assertEquals(200, poll.status(), poll.body());
        assertTrue(ids(poll.json().path("data")).contains(taskId), poll.body());
        assertFalse(poll.json().path("timeout").asBoolean(), "changes since then exist: answered at once");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(server.config().longPollTimeout()) < 0,
                "the poll must not wait for its timeout");
    }

    /** Each since on /updates and /poll: 400 with the message (every case reported), and board-1 unchanged. */
    private static void assertBadSince(List<String> sinces) {
        JsonNode before = http.get("/boards/board-1").json();
        List<Executable> checks = new ArrayList<>();
        for (String route : List.of("updates", "poll")) {
            for (String since : sinces) {
                String path = "/boards/board-1/" + route + "?since=" + since;
                Http.Reply reply = http.get(path);
                checks.add(() -> assertEquals(400, reply.status(), path + ": " + reply.body()));
                checks.add(() -> assertEquals(error(MESSAGE), reply.json(), path + ": " + reply.body()));
            }
        }
        assertAll(checks);
        assertEquals(before, http.get("/boards/board-1").json());
    }

    private static List<String> ids(JsonNode tasks) {
        List<String> ids = new ArrayList<>();
        tasks.forEach(task -> ids.add(task.path("id").asText()));
        return ids;
    }
}
