package io.liveboard.limits;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.RawUpgrade;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --allowed-origins http://good.example,https://*.corp.example}: a WebSocket upgrade or SSE request
 * from any other {@code Origin} is refused with 403 {@code {"error":"Origin not allowed"}}; the allowed ones
 * and requests without {@code Origin} (not browsers) pass and work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OriginPolicyTest {

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(TestServer.fastConfig().toBuilder().allowedOrigins("http://good.example", "https://*.corp.example").build());
        http = new Http(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    static Stream<String> refused() {
        return Stream.of("http://evil.example", "null", "https://good.example", "http://good.example:8080",
                "http://good.example.evil.example", "http://x.corp.example", "https://corp.example.evil.example",
                "https://evilcorp.example");
    }

    static Stream<String> allowed() {
        return Stream.of("http://good.example", "https://app.corp.example", "https://a.b.corp.example");
    }

    @ParameterizedTest
    @MethodSource("refused")
    void webSocketUpgradeFromAnotherOriginIsRefusedWith403(String origin) {
        for (String path : new String[] {"/", "/ws"}) {
            HttpWire.Answer answer = RawUpgrade.attempt(server, path, Map.of("Origin", origin));
            assertEquals(403, answer.status(), origin + " on " + path + ": " + answer.body());
            assertEquals(object("error", "Origin not allowed"), answer.json());
        }
    }

    @ParameterizedTest
    @MethodSource("refused")
    void sseFromAnotherOriginIsRefusedWith403(String origin) throws Exception {
        for (String path : new String[] {"/boards/board-1/events", "/events?boards=board-1,board-2"}) {
            Http.Reply reply = sse(path, origin);
            assertEquals(403, reply.status(), origin + " on " + path + ": " + reply.body());
            assertEquals(object("error", "Origin not allowed"), reply.json());
        }
    }

    @ParameterizedTest
    @MethodSource("allowed")
    void anAllowedOriginUpgradesAndItsSocketWorks(String origin) {
        assertEquals(101, RawUpgrade.attempt(server, "/ws", Map.of("Origin", origin)).status());
        String board = http.newBoard("From " + origin);
        try (WsClient client = WsClient.connect(server, "/ws", Map.of("Origin", origin))) {
            client.join(board);
            JsonNode task = http.createTask(http.firstListOf(board), "seen from " + origin);
            assertEquals(task, client.awaitType("task_created").path("task"));
        }
    }

    @ParameterizedTest
    @MethodSource("allowed")
    void anAllowedOriginGetsItsEventStream(String origin) {
        String board = http.newBoard("Stream from " + origin);
        try (SseClient stream = SseClient.open(server, "/boards/" + board + "/events", Map.of("Origin", origin))) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            stream.await(e -> e.data() != null && e.data().contains("\"connected\""));
            JsonNode task = http.createTask(http.firstListOf(board), "streamed to " + origin);
            assertEquals(task, stream.awaitEvent("task_created").json().path("task"));
        }
    }

    @Test
    void requestsWithoutAnOriginPass() {
        assertEquals(101, RawUpgrade.attempt(server, "/", Map.of()).status());
        assertEquals(101, RawUpgrade.attempt(server, "/ws", Map.of()).status());
        String board = http.newBoard("No origin");
        try (WsClient client = WsClient.connect(server);
                SseClient stream = SseClient.open(server, "/events?boards=" + board)) {
            assertEquals(200, stream.status());
            client.join(board);
            JsonNode task = http.createTask(http.firstListOf(board), "no origin");
            assertEquals(task, client.awaitType("task_created").path("task"));
            assertEquals(task, stream.awaitEvent("task_created").json().path("task"));
        }
    }

    /** An SSE request answered at once: status and body; an accepted stream is closed unread (body ""). */
    private static Http.Reply sse(String path, String origin) throws Exception {
        HttpResponse<java.io.InputStream> response = http.client().send(HttpRequest.newBuilder(URI.create(server.http(path)))
                .header("Accept", "text/event-stream").header("Origin", origin)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = response.body()) {
            String text = response.statusCode() == 200 ? "" : new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Http.Reply(response.statusCode(), text.isEmpty() ? null : Json.parse(text), text, null);
        }
    }
}
