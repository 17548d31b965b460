package io.liveboard.limits;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.RawUpgrade;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --max-connections-per-ip 3}: WebSocket and SSE connections from 127.0.0.1 count together; the 4th is
 * refused with 429 {@code {"error":"Too many connections"}} (upgrade or SSE request); a connection that ends,
 * however it ends, gives its place back; refused and failed requests take none; plain REST is not counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionsPerIpTest {

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(TestServer.fastConfig(Files.createTempDirectory("liveboard-per-ip")
                .resolve("liveboard.db")).toBuilder().maxConnectionsPerIp(3).build());
        http = new Http(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void everyConnectionGone() {
        Await.value("open connections after the test (websocket/sse)", "0/0", () -> {
            JsonNode connections = http.connections();
            return connections.path("websocket").asInt() + "/" + connections.path("sse").asInt();
        });
    }

    @Test
    void theFourthWebSocketIsRefusedUntilOneCloses() throws Exception {
        String board = http.newBoard("Per address, sockets");
        WsClient first = WsClient.connect(server);
        try (WsClient second = WsClient.connect(server); WsClient third = WsClient.connect(server)) {
            for (int attempt = 0; attempt < 3; attempt++) {
                assertRefusedWebSocket();
                assertRefusedStream("/boards/" + board + "/events");
            }
            // REST is not a connection that counts
            assertEquals(200, http.get("/boards/" + board).status());

            first.close();
            Await.value("open WebSockets after one closed", 2, () -> http.connections().path("websocket").asInt());

            try (WsClient fourth = WsClient.connect(server)) {
                fourth.join(board);
                JsonNode task = http.createTask(http.firstListOf(board), "the fourth one");
                assertEquals(task, fourth.awaitType("task_created").path("task"));
                // the freed place was taken once: the limit holds again
                assertRefusedWebSocket();
                assertRefusedStream("/events?boards=" + board);
            }
        } finally {
            first.close();
        }
    }

    @Test
    void streamsAndSocketsCountTogether() throws Exception {
        String board = http.newBoard("Per address, mixed");
        SseClient stream1 = SseClient.open(server, "/boards/" + board + "/events");
        try (SseClient stream2 = SseClient.open(server, "/events?boards=" + board);
                WsClient socket = WsClient.connect(server)) {
            assertEquals(200, stream1.status());
            assertEquals(200, stream2.status());
            assertRefusedWebSocket();
            assertRefusedStream("/boards/" + board + "/events");

            stream1.close();
            Await.value("open SSE streams after one closed", 1, () -> http.connections().path("sse").asInt());

            try (SseClient stream3 = SseClient.open(server, "/boards/" + board + "/events")) {
                assertEquals(200, stream3.status());
                socket.join(board);
                JsonNode task = http.createTask(http.firstListOf(board), "to three connections");
                assertEquals(task, stream3.awaitEvent("task_created").json().path("task"));
                assertEquals(task, stream2.awaitEvent("task_created").json().path("task"));
                assertEquals(task, socket.awaitType("task_created").path("task"));
                assertRefusedWebSocket();
                assertRefusedStream("/boards/" + board + "/events");
            }
        } finally {
            stream1.close();
        }
    }

    @Test
    void failedStreamRequestsTakeNoPlace() throws Exception {
        String board = http.newBoard("Per address, failures");
        for (int i = 0; i < 5; i++) {
            assertEquals(404, stream("/boards/board-nope/events").status());
            assertEquals(400, stream("/boards/no%20such/events").status());
            assertEquals(400, stream("/events").status());
        }
        try (WsClient one = WsClient.connect(server); WsClient two = WsClient.connect(server);
                SseClient three = SseClient.open(server, "/boards/" + board + "/events")) {
            assertEquals(200, three.status());
            assertRefusedWebSocket();
        }
    }

    @Test
    void aSocketTheServerClosesGivesItsPlaceBack() {
        try (WsClient one = WsClient.connect(server); WsClient two = WsClient.connect(server)) {
            WsClient offender = WsClient.connect(server);
            assertRefusedWebSocket();
            offender.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(1009, offender.awaitClose());
            offender.close();
            Await.value("open WebSockets after the oversized frame", 2, () -> http.connections().path("websocket").asInt());
            try (WsClient replacement = WsClient.connect(server)) {
                replacement.send("{\"type\":\"ping\"}");
                replacement.awaitType("pong");
                assertRefusedWebSocket();
            }
        }
    }

    private static void assertRefusedWebSocket() {
        RawUpgrade.Answer answer = RawUpgrade.attempt(server, "/ws", Map.of());
        assertEquals(429, answer.status(), answer.body());
        assertEquals(object("error", "Too many connections"), answer.json());
    }

    private static void assertRefusedStream(String path) throws Exception {
        Http.Reply reply = stream(path);
        assertEquals(429, reply.status(), reply.body());
        assertEquals(object("error", "Too many connections"), reply.json());
    }

    /**
     * An SSE request that is expected to be answered at once (refused or failed): status and body; a stream
     * that was accepted after all is closed unread (body "").
     */
    private static Http.Reply stream(String path) throws Exception {
        HttpResponse<InputStream> response = http.client().send(HttpRequest.newBuilder(URI.create(server.http(path)))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            String text = response.statusCode() == 200 ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
            return new Http.Reply(response.statusCode(), text.isEmpty() ? null : Json.parse(text), text, null);
        }
    }
}
