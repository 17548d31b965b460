package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JS client with {@code --auth token}: a good token works on every transport (reads, live events, a command);
 * a bad one gives one {@code auth_error} 401 and then no request at all until {@code setToken}, after which the
 * client goes live; a board the token does not allow gives that board's {@code error} 403 while the others
 * carry on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientAuthTest {

    private static final String SECRET = "liveboard-client-auth-test-secret-0123456789";
    private static TestServer server;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void aGoodTokenWorksOnEveryTransport(String transport) {
        String token = token("user-" + transport, List.of("board-1"));
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "'], token: " + Json.write(token), "board-1");
            page.awaitLive(transport);
            String title = "Made on " + transport;
            post(token("admin", List.of("*")), "/tasks", "{\"listId\":\"list-doing\",\"title\":\"" + title + "\"}");
            Await.until("the event over " + transport, () -> page.titles("list-doing").contains(title));
            JsonNode mine = page.call("return await board.createTask({ listId: 'list-done', title: 'Mine on %s' });"
                    .formatted(transport));
            assertEquals("Mine on " + transport, mine.path("ok").path("title").asText(), mine.toString());
            assertEquals(0, page.log("authErrors").size());
        }
    }

    @Test
    void aBadTokenStopsTheClientUntilANewOne() {
        try (ClientPage page = ClientPage.open(server.http(""))) {
            countRequests(page);
            page.follow(ClientPage.FAST + ", token: 'not-a-token'", "board-1");
            Await.until("an auth error", () -> page.log("authErrors").size() > 0);
            JsonNode status = page.status();
            assertEquals("offline", status.path("state").asText(), status.toString());
            assertEquals(401, status.path("error").path("status").asInt(), status.toString());
            JsonNode error = page.log("authErrors").get(0);
            assertEquals(401, error.path("status").asInt(), error.toString());
            assertEquals("Unauthorized", error.path("message").asText(), error.toString());

            // no retry storm: watched for 3 s in the page (absence takes a while to see), not one request more
            JsonNode quiet = page.call("""
                    const before = window.requests;
                    await new Promise((resolve) => setTimeout(resolve, 3000));
                    return { before, after: window.requests, authErrors: window.log.authErrors.length };
                    """).path("ok");
            assertEquals(quiet.path("before"), quiet.path("after"), quiet.toString());
            assertEquals(1, quiet.path("authErrors").asInt(), "told once: " + quiet);

            page.run("client.setToken(" + Json.write(token("dora", List.of("board-1"))) + ");");
            page.awaitLive("websocket");
            assertTrue(page.state().path("lists").isArray());
        }
    }

    @Test
    void aForbiddenBoardIsThatBoardsErrorOnly() {
        String token = token("erin", List.of("board-2"));
        try (ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST + ", token: " + Json.write(token), "board-1");
            page.run("""
                    window.allowed = client.board('board-2');
                    window.allowedStates = 0;
                    allowed.on('state', () => window.allowedStates++);
                    """);
            Await.until("board-1's error", () -> page.log("errors").size() > 0);
            JsonNode error = page.log("errors").get(0);
            assertEquals(403, error.path("status").asInt(), error.toString());
            assertEquals("Forbidden", error.path("message").asText());
            page.awaitLive("websocket");
            post(token("admin", List.of("*")), "/tasks", "{\"listId\":\"list-2-todo\",\"title\":\"For Erin\"}");
            Await.until("board-2 carries on", () -> page.run("return allowed.state.lists[0].tasks.map(t => t.title);")
                    .toString().contains("For Erin"));
            assertEquals(403, page.log("authErrors").get(0).path("status").asInt());
        }
    }

    /** Counts every fetch and WebSocket the page makes from now on, in {@code window.requests}. */
    private static void countRequests(ClientPage page) {
        page.run("""
                window.requests = 0;
                const fetch = window.fetch;
                window.fetch = (...args) => { window.requests++; return fetch(...args); };
                const WebSocket = window.WebSocket;
                window.WebSocket = class extends WebSocket {
                  constructor(...args) { super(...args); window.requests++; }
                };
                """);
    }

    private static String token(String sub, List<String> boards) {
        return new JwtTokens(SECRET, Clock.systemUTC()).issue(sub, sub, boards, Duration.ofHours(1));
    }

    private static void post(String token, String path, String json) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.http(path))).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, response.statusCode(), response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
