package io.liveboard.http;

import static io.liveboard.http.Requests.error;
import static io.liveboard.http.Requests.items;
import static io.liveboard.http.Requests.itemsLowerCase;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cross-site requests (issue 9, item 6). A browser on another site can send a POST/PATCH/DELETE with the user's
 * {@code session} cookie and, as a "simple" request, a body as {@code text/plain}: such a request must change
 * nothing. {@code secured}: {@code --auth token}, {@code --allowed-origins http://localhost:*}, the token in the
 * cookie. {@code open}: the default configuration (auth off, any origin).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossSiteTest {

    /** The same secret as {@code io.liveboard.auth.Tokens.SECRET} (package-private there). */
    private static final String SECRET = "liveboard-auth-tests-secret-0123456789-abcdef";
    private static final String EVIL = "https://evil.example";
    private static final String GOOD = "http://localhost:5173";
    private static final String JSON = "application/json";
    private static final String TASK = "{\"title\":\"Cross-site\",\"listId\":\"list-todo\"}";

    private static TestServer secured;
    private static TestServer open;
    private static String cookie;

    @BeforeAll
    static void startServers() throws Exception {
        secured = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET)
                .allowedOrigins("http://localhost:*").build());
        open = TestServer.start();
        String token = new JwtTokens(SECRET, Clock.systemUTC()).issue("alice", "Alice", List.of("*"),
                Duration.ofHours(1));
        cookie = "session=" + token;
    }

    @AfterAll
    static void stopServers() {
        if (secured != null) {
            secured.close();
        }
        if (open != null) {
            open.close();
        }
    }

    // --- Origin on state-changing requests --------------------------------------------------------------

    @Test
    void postFromAForeignOriginAsTextPlainIs403AndCreatesNothing() {
        assertRefusedOrigin(() -> secure("POST", "/tasks", TASK, EVIL, "text/plain"));
        assertRefusedOrigin(() -> secure("POST", "/tasks", TASK, EVIL, JSON));
    }

    @Test
    void deleteFromAForeignOriginIs403AndTheTaskStays() {
        String taskId = fixtureTask();

        assertRefusedOrigin(() -> secure("DELETE", "/tasks/" + taskId, null, EVIL, null));

        assertEquals(200, secure("GET", "/tasks/" + taskId, null, null, null).status(), "the task is still there");
    }

    @Test
    void patchFromAForeignOriginIs403AndTheTaskIsUnchanged() {
        String taskId = fixtureTask();
        JsonNode before = secure("GET", "/tasks/" + taskId, null, null, null).json();

        assertRefusedOrigin(() -> secure("PATCH", "/tasks/" + taskId, "{\"title\":\"Hijacked\"}", EVIL, JSON));
        assertRefusedOrigin(() -> secure("PATCH", "/tasks/" + taskId, "{\"title\":\"Hijacked\"}", EVIL, "text/plain"));
        assertRefusedOrigin(() -> secure("PATCH", "/tasks/" + taskId + "/move", "{\"listId\":\"list-done\"}", EVIL,
                JSON));

        assertEquals(before, secure("GET", "/tasks/" + taskId, null, null, null).json());
    }

    @Test
    void creatingBoardsAndListsFromAForeignOriginIs403() {
        assertRefusedOrigin(() -> secure("POST", "/boards", "{\"name\":\"Evil board\"}", EVIL, JSON));
        assertRefusedOrigin(() -> secure("POST", "/boards/board-1/lists", "{\"name\":\"Evil list\"}", EVIL, JSON));
    }

    @Test
    void originNullMatchesNoPatternAndIs403() {
        assertRefusedOrigin(() -> secure("POST", "/tasks", TASK, "null", JSON));
    }

    @Test
    void originIsCheckedBeforeTheToken() {
        // no cookie: a foreign origin is told 403 Origin not allowed, not 401
        assertRefusedOrigin(() -> Requests.send(secured, "POST", "/tasks", TASK,
                Map.of("Origin", EVIL, "Content-Type", JSON)));
    }

    @Test
    void theSameRequestsFromAnAllowedOriginSucceed() {
        Http.Reply created = secure("POST", "/tasks", TASK, GOOD, JSON);
        assertEquals(201, created.status(), created.body());
        assertEquals("Cross-site", created.json().path("title").asText());
        assertCors(GOOD, created);
        String taskId = created.json().path("id").asText();

        Http.Reply patched = secure("PATCH", "/tasks/" + taskId, "{\"title\":\"Renamed\"}", GOOD, JSON);
        assertEquals(200, patched.status(), patched.body());
        assertEquals("Renamed", patched.json().path("title").asText());
        assertCors(GOOD, patched);

        Http.Reply moved = secure("PATCH", "/tasks/" + taskId + "/move", "{\"listId\":\"list-done\"}", GOOD, JSON);
        assertEquals(200, moved.status(), moved.body());
        assertEquals("list-done", moved.json().path("listId").asText());

        Http.Reply deleted = secure("DELETE", "/tasks/" + taskId, null, GOOD, null);
        assertEquals(204, deleted.status(), deleted.body());
        assertCors(GOOD, deleted);
        assertEquals(404, secure("GET", "/tasks/" + taskId, null, null, null).status());
    }

    /** Guard: a request without Origin (curl, servers) is not a browser's and passes. */
    @Test
    void theSameRequestsWithoutOriginSucceed() {
        Http.Reply created = secure("POST", "/tasks", TASK, null, JSON);
        assertEquals(201, created.status(), created.body());
        String taskId = created.json().path("id").asText();
        assertEquals(200, secure("PATCH", "/tasks/" + taskId, "{\"title\":\"Renamed\"}", null, JSON).status());
        assertEquals(200, secure("PATCH", "/tasks/" + taskId + "/move", "{\"listId\":\"list-done\"}", null, JSON)
                .status());
        assertEquals(204, secure("DELETE", "/tasks/" + taskId, null, null, null).status());
        assertEquals(404, secure("GET", "/tasks/" + taskId, null, null, null).status());
    }

    // --- Content-Type -----------------------------------------------------------------------------------

    @Test
    void aBodyNotSentAsJsonIs415WithAuthOff() {
        assertBodyTypesRefused(open, Map.of());
    }

    @Test
    void aBodyNotSentAsJsonIs415WithAToken() {
        assertBodyTypesRefused(secured, Map.of("Cookie", cookie, "Origin", GOOD));
    }

    @Test
    void jsonWithAUtf8CharsetIsAccepted() {
        for (String type : List.of("application/json; charset=utf-8", "application/json;charset=UTF-8")) {
            Http.Reply reply = Requests.send(open, "POST", "/tasks", TASK, Map.of("Content-Type", type));
            assertEquals(201, reply.status(), type + ": " + reply.body());
            assertEquals("Cross-site", reply.json().path("title").asText());
        }
    }

    // --- CORS preflight ---------------------------------------------------------------------------------

    @Test
    void preflightFromAnAllowedOriginIs204WithTheCorsHeadersAndCredentials() {
        // a browser sends a preflight without credentials: no cookie, no token
        Http.Reply reply = Requests.send(secured, "OPTIONS", "/tasks", (byte[]) null, preflight(GOOD, "POST"));

        assertEquals(204, reply.status(), reply.body());
        assertPreflightHeaders(GOOD, reply);
        assertEquals("true", reply.header("Access-Control-Allow-Credentials"),
                "an explicit --allowed-origins list allows credentials");
    }

    @Test
    void preflightOfATaskRouteFromAnAllowedOriginIs204() {
        Http.Reply reply = Requests.send(secured, "OPTIONS", "/tasks/task-1", (byte[]) null, preflight(GOOD, "DELETE"));

        assertEquals(204, reply.status(), reply.body());
        assertPreflightHeaders(GOOD, reply);
    }

    @Test
    void preflightFromAForeignOriginIs403WithoutCorsHeaders() {
        Http.Reply reply = Requests.send(secured, "OPTIONS", "/tasks", (byte[]) null, preflight(EVIL, "POST"));

        assertEquals(403, reply.status(), reply.body());
        assertEquals(error("Origin not allowed"), reply.json(), reply.body());
        assertNull(reply.header("Access-Control-Allow-Origin"));
        assertNull(reply.header("Access-Control-Allow-Credentials"));
    }

    @Test
    void preflightWithAnyOriginAllowedIs204WithoutCredentials() {
        for (String origin : List.of(EVIL, GOOD)) {
            Http.Reply reply = Requests.send(open, "OPTIONS", "/tasks", (byte[]) null, preflight(origin, "POST"));

            assertEquals(204, reply.status(), origin + ": " + reply.body());
            assertPreflightHeaders(origin, reply);
            assertNull(reply.header("Access-Control-Allow-Credentials"),
                    "the default \"any origin\" must not allow credentials");
        }
    }

    // --- CORS on actual requests ------------------------------------------------------------------------

    @Test
    void aGetFromAnAllowedOriginCarriesAllowOriginAndVary() {
        Http.Reply reply = secure("GET", "/boards/board-1", null, GOOD, null);

        assertEquals(200, reply.status(), reply.body());
        assertCors(GOOD, reply);
    }

    @Test
    void aGetWithAnyOriginAllowedEchoesTheOrigin() {
        Http.Reply reply = Requests.send(open, "GET", "/boards", (byte[]) null, Map.of("Origin", EVIL));

        assertEquals(200, reply.status(), reply.body());
        assertCors(EVIL, reply);
    }

    /** Guard: reading from a foreign origin is not refused (only changes are), and gets no CORS grant. */
    @Test
    void aGetFromAForeignOriginIsAnsweredWithoutAllowOrigin() {
        Http.Reply reply = secure("GET", "/boards/board-1", null, EVIL, null);

        assertEquals(200, reply.status(), reply.body());
        assertNull(reply.header("Access-Control-Allow-Origin"));
    }

    // --- helpers ----------------------------------------------------------------------------------------

    /** A request to the token server with the session cookie, an optional Origin and Content-Type. */
    private static Http.Reply secure(String method, String path, String body, String origin, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cookie", cookie);
        if (origin != null) {
            headers.put("Origin", origin);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return Requests.send(secured, method, path, body, headers);
    }

    private static String fixtureTask() {
        Http.Reply reply = secure("POST", "/tasks", "{\"title\":\"Fixture\",\"listId\":\"list-doing\"}", null, JSON);
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("id").asText();
    }

    /** What a refusal must leave alone on the token server: board-1 (with its seq) and the list of boards. */
    private static JsonNode snapshot(TestServer server, Map<String, String> auth) {
        Map<String, String> headers = new LinkedHashMap<>(auth);
        Http.Reply board = Requests.send(server, "GET", "/boards/board-1", (byte[]) null, headers);
        Http.Reply boards = Requests.send(server, "GET", "/boards", (byte[]) null, headers);
        assertEquals(200, board.status(), board.body());
        assertEquals(200, boards.status(), boards.body());
        ObjectNode snapshot = Json.MAPPER.createObjectNode();
        snapshot.set("board", board.json());
        snapshot.set("boards", boards.json());
        return snapshot;
    }

    private static void assertRefusedOrigin(Supplier<Http.Reply> request) {
        JsonNode before = snapshot(secured, Map.of("Cookie", cookie));

        Http.Reply reply = request.get();

        assertEquals(403, reply.status(), reply.body());
        assertEquals(error("Origin not allowed"), reply.json(), reply.body());
        assertNull(reply.header("Access-Control-Allow-Origin"), "a refused origin gets no CORS grant");
        assertEquals(before, snapshot(secured, Map.of("Cookie", cookie)), "nothing may change");
    }

    /** Every body route, every Content-Type that is not JSON in UTF-8: 415 and nothing changes. */
    private static void assertBodyTypesRefused(TestServer server, Map<String, String> auth) {
        Http.Reply fixture = Requests.send(server, "POST", "/tasks", "{\"title\":\"Typed\",\"listId\":\"list-todo\"}",
                with(auth, "Content-Type", JSON));
        assertEquals(201, fixture.status(), fixture.body());
        String taskId = fixture.json().path("id").asText();
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("POST /tasks", TASK);
        bodies.put("POST /boards", "{\"name\":\"Typed board\"}");
        bodies.put("POST /boards/board-1/lists", "{\"name\":\"Typed list\"}");
        bodies.put("PATCH /tasks/" + taskId, "{\"title\":\"Typed over\"}");
        bodies.put("PATCH /tasks/" + taskId + "/move", "{\"listId\":\"list-done\"}");
        List<String> types = Arrays.asList("text/plain", "text/plain;charset=UTF-8",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null,
                "application/json; charset=iso-8859-1");
        JsonNode task = Requests.send(server, "GET", "/tasks/" + taskId, (byte[]) null, auth).json();
        for (Map.Entry<String, String> route : bodies.entrySet()) {
            String method = route.getKey().split(" ")[0];
            String path = route.getKey().split(" ")[1];
            for (String type : types) {
                JsonNode before = snapshot(server, auth);
                Map<String, String> headers = type == null ? auth : with(auth, "Content-Type", type);

                Http.Reply reply = Requests.send(server, method, path, route.getValue(), headers);

                String what = route.getKey() + " as " + (type == null ? "no Content-Type" : type);
                assertAll(what,
                        () -> assertEquals(415, reply.status(), what + ": " + reply.body()),
                        () -> assertEquals(error("Content-Type must be application/json"), reply.json(),
                                what + ": " + reply.body()),
                        () -> assertEquals(before, snapshot(server, auth), what + " must change nothing"));
            }
        }
        assertEquals(task, Requests.send(server, "GET", "/tasks/" + taskId, (byte[]) null, auth).json(),
                "the task must not change");
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, String> preflight(String origin, String method) {
        return Map.of("Origin", origin, "Access-Control-Request-Method", method,
                "Access-Control-Request-Headers", "content-type, authorization");
    }

    private static void assertPreflightHeaders(String origin, Http.Reply reply) {
        assertEquals(origin, reply.header("Access-Control-Allow-Origin"));
        assertTrue(items(reply.header("Access-Control-Allow-Methods"))
                        .containsAll(Set.of("GET", "HEAD", "POST", "PATCH", "DELETE")),
                "Access-Control-Allow-Methods: " + reply.header("Access-Control-Allow-Methods"));
        assertTrue(itemsLowerCase(reply.header("Access-Control-Allow-Headers"))
                        .containsAll(Set.of("content-type", "authorization", "x-socket-id", "last-event-id")),
                "Access-Control-Allow-Headers: " + reply.header("Access-Control-Allow-Headers"));
        assertEquals("600", reply.header("Access-Control-Max-Age"));
    }

    /** An actual request's answer to an allowed origin: the origin echoed, and {@code Vary: Origin}. */
    private static void assertCors(String origin, Http.Reply reply) {
        assertEquals(origin, reply.header("Access-Control-Allow-Origin"), "Access-Control-Allow-Origin");
        assertTrue(itemsLowerCase(String.join(",", reply.raw().headers().allValues("Vary"))).contains("origin"),
                "Vary: " + reply.raw().headers().allValues("Vary"));
    }
}
