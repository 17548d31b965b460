package io.liveboard.http;

import static io.liveboard.http.Requests.error;
import static io.liveboard.http.Requests.items;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HEAD and plain OPTIONS (issue 9, items 10 and 6). HEAD answers are read off a raw socket with
 * {@code Connection: close}, so that every byte the server sends after the headers is seen (an HTTP client
 * would drop a HEAD answer's body for us) and an answer that does not end fails the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeadAndOptionsTest extends ServerTest {

    private static final Duration QUICK = Duration.ofSeconds(3);

    private static String taskId;

    @BeforeAll
    static void fixture() {
        taskId = http.createTask("list-todo", "Headed").path("id").asText();
    }

    @Test
    void headOnEveryGetRouteAnswersLikeGetWithoutABody() {
        List<String> paths = List.of("/healthz", "/boards", "/boards/board-1", "/tasks/" + taskId,
                "/boards/board-1/updates", "/boards/board-1/updates?after=0", "/boards/board-1/presence",
                "/admin/connections", "/metrics");
        for (String path : paths) {
            Http.Reply get = http.get(path);
            assertEquals(200, get.status(), path + ": " + get.body());
            assertNotNull(get.header("Content-Type"), path);

            Requests.Raw head = Requests.rawClose(server, "HEAD", path, QUICK);

            assertAll("HEAD " + path,
                    () -> assertEquals(get.status(), head.status(), "HEAD " + path + " status"),
                    () -> assertEquals(get.header("Content-Type"), head.header("Content-Type"),
                            "HEAD " + path + " Content-Type"),
                    () -> assertEquals("", new String(head.rest(), StandardCharsets.UTF_8), "HEAD " + path + " body"));
        }
    }

    @Test
    void headOfAnUnknownTaskIs404WithoutABody() {
        Http.Reply get = http.get("/tasks/task-nope");
        assertEquals(404, get.status());

        Requests.Raw head = Requests.rawClose(server, "HEAD", "/tasks/task-nope", QUICK);

        assertEquals(404, head.status());
        assertEquals(get.header("Content-Type"), head.header("Content-Type"));
        assertEquals("", new String(head.rest(), StandardCharsets.UTF_8));
    }

    @Test
    void headOfAnUnknownBoardIs404WithoutABody() {
        Requests.Raw head = Requests.rawClose(server, "HEAD", "/boards/board-404", QUICK);

        assertEquals(404, head.status());
        assertEquals("", new String(head.rest(), StandardCharsets.UTF_8));
    }

    @Test
    void headOfAnEventStreamEndsAtOnceAndOpensNoStream() {
        Requests.Raw head = Requests.rawClose(server, "HEAD", "/boards/board-1/events", QUICK);

        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type") != null && head.header("Content-Type").startsWith("text/event-stream"),
                "Content-Type: " + head.header("Content-Type"));
        assertEquals("", new String(head.rest(), StandardCharsets.UTF_8), "no stream after the headers");
    }

    @Test
    void headOfAnEventStreamOnAKeptAliveConnectionCountsNoStreamNorViewer() throws Exception {
        JsonNode noStreams = Json.parse("{\"websocket\":0,\"sse\":0,\"boards\":{}}");
        Await.value("connections before", noStreams, http::connections);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) QUICK.toMillis());
            Requests.write(socket, "HEAD", "/boards/board-1/events", false);
            InputStream in = socket.getInputStream();
            Requests.Raw head = Requests.readHead(in);
            assertEquals(200, head.status());
            assertTrue(head.header("Content-Type") != null
                    && head.header("Content-Type").startsWith("text/event-stream"), "Content-Type: " + head.header(
                    "Content-Type"));

            // the connection is still open: had the HEAD opened a stream, it would be counted now
            assertEquals(noStreams, http.connections(), "a HEAD is no SSE connection");
            Http.Reply presence = http.get("/boards/board-1/presence");
            assertEquals(Json.parse("{\"boardId\":\"board-1\",\"users\":[]}"), presence.json(),
                    "a HEAD is no viewer");

            // the HEAD answer has ended: the next request on the same connection is answered, with no stream
            // bytes before it
            Requests.write(socket, "GET", "/healthz", true);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            in.transferTo(rest);
            String next = rest.toString(StandardCharsets.UTF_8);
            assertTrue(next.startsWith("HTTP/1.1 200"), "next answer on the connection: " + next);
            assertTrue(next.endsWith("{\"status\":\"ok\"}"), next);
        }
        Await.value("connections after", noStreams, http::connections);
    }

    @Test
    void a405ListsHeadWhereGetIsAllowedAndOptions() {
        Map<String, Set<String>> allowed = Map.of(
                "PUT /tasks", Set.of("POST", "OPTIONS"),
                "PUT /boards", Set.of("GET", "HEAD", "POST", "OPTIONS"),
                "DELETE /healthz", Set.of("GET", "HEAD", "OPTIONS"),
                "PUT /tasks/" + taskId, Set.of("GET", "HEAD", "PATCH", "DELETE", "OPTIONS"),
                "POST /tasks/" + taskId + "/move", Set.of("PATCH", "OPTIONS"));
        allowed.forEach((request, methods) -> {
            String method = request.split(" ")[0];
            String path = request.split(" ")[1];

            Http.Reply reply = http.send(method, path, null, null);

            assertEquals(405, reply.status(), request + ": " + reply.body());
            assertEquals(error("Method " + method + " is not allowed on " + path), reply.json(), request);
            assertEquals(methods, items(reply.header("Allow")), request + ": Allow: " + reply.header("Allow"));
        });
    }

    @Test
    void plainOptionsOnATaskIs204WithItsMethods() {
        Http.Reply reply = Requests.send(server, "OPTIONS", "/tasks/" + taskId, (byte[]) null, Map.of());

        assertEquals(204, reply.status(), reply.body());
        assertEquals(Set.of("GET", "HEAD", "PATCH", "DELETE", "OPTIONS"), items(reply.header("Allow")),
                "Allow: " + reply.header("Allow"));
        assertEquals("", reply.body());
    }

    @Test
    void plainOptionsOnOtherRoutesListsTheirMethods() {
        Map<String, Set<String>> allowed = Map.of(
                "/tasks", Set.of("POST", "OPTIONS"),
                "/boards", Set.of("GET", "HEAD", "POST", "OPTIONS"),
                "/tasks/" + taskId + "/move", Set.of("PATCH", "OPTIONS"),
                "/boards/board-1/events", Set.of("GET", "HEAD", "OPTIONS"));
        allowed.forEach((path, methods) -> {
            Http.Reply reply = Requests.send(server, "OPTIONS", path, (byte[]) null, Map.of());

            assertEquals(204, reply.status(), path + ": " + reply.body());
            assertEquals(methods, items(reply.header("Allow")), path + ": Allow: " + reply.header("Allow"));
        });
    }

    /** Guard: an unknown path stays a JSON 404 for OPTIONS (as for every method). */
    @Test
    void optionsOnAnUnknownPathIs404() {
        Http.Reply reply = Requests.send(server, "OPTIONS", "/nope", (byte[]) null, Map.of());

        assertEquals(404, reply.status(), reply.body());
        assertEquals(error("Not found: /nope"), reply.json());
    }
}
