package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.ClientTransport;
import io.liveboard.config.Config;
import io.liveboard.config.ConfigParser;
import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.RawUpgrade;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --transports} (issue 11): a transport left out is refused with 404 and a message naming it, with real
 * clients on each transport; the ones left in, and REST, work as before; bad lists stop the start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportsTest {

    private static final Map<ClientTransport, String> REFUSALS = Map.of(
            ClientTransport.WS, "The websocket transport is turned off on this server",
            ClientTransport.SSE, "The sse transport is turned off on this server",
            ClientTransport.LONGPOLL, "The long polling transport is turned off on this server",
            ClientTransport.POLL, "The polling transport is turned off on this server");

    @Test
    void theDefaultHasEveryTransportAndTheyAllWork() {
        assertEquals(EnumSet.allOf(ClientTransport.class), Config.defaults().transports());
        try (TestServer server = TestServer.start()) {
            assertEquals(EnumSet.allOf(ClientTransport.class), server.config().transports());
            Http http = new Http(server);
            http.createTask("list-todo", "Something to poll for");
            for (ClientTransport transport : ClientTransport.values()) {
                assertWorks(server, http, transport);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientTransport.class)
    void aTransportLeftOutIsRefusedAndTheOthersWork(ClientTransport off) {
        Set<ClientTransport> on = EnumSet.complementOf(EnumSet.of(off));
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder().transports(on).build())) {
            Http http = new Http(server);
            http.createTask("list-todo", "Something to poll for");
            assertRefused(server, http, off);
            for (ClientTransport transport : on) {
                assertWorks(server, http, transport);
            }
        }
    }

    @Test
    void withPollingAloneRestStillReadsAndChanges() {
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder()
                .transports(ClientTransport.POLL).build())) {
            Http http = new Http(server);
            for (ClientTransport off : List.of(ClientTransport.WS, ClientTransport.SSE, ClientTransport.LONGPOLL)) {
                assertRefused(server, http, off);
            }
            JsonNode task = http.createTask("list-todo", "Made over REST");
            String id = task.path("id").asText();
            assertEquals(200, http.get("/tasks/" + id).status());
            assertEquals(200, http.patch("/tasks/" + id, "{\"title\":\"Renamed\"}").status());
            assertEquals(200, http.patch("/tasks/" + id + "/move", "{\"listId\":\"list-done\"}").status());
            assertEquals(200, http.get("/boards").status());
            assertEquals(200, http.get("/boards/board-1").status());
            assertEquals(200, http.get("/boards/board-1/presence").status());
            assertEquals(200, http.get("/healthz").status());
            assertEquals(200, http.get("/").status(), "the page itself");
            assertEquals(204, http.delete("/tasks/" + id).status());
            assertWorks(server, http, ClientTransport.POLL);
        }
    }

    @Test
    void aRefusalReachesACrossOriginPageWithItsCorsHeaders() {
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder()
                .transports(ClientTransport.WS, ClientTransport.POLL).allowedOrigins("http://page.example").build())) {
            Map<String, String> preflight = Map.of("Origin", "http://page.example",
                    "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "last-event-id");
            Http.Reply answered = Requests.send(server, "OPTIONS", "/boards/board-1/events", (String) null, preflight);
            assertEquals(204, answered.status(), "the preflight is answered as before: " + answered.body());

            Http.Reply refused = Requests.send(server, "GET", "/boards/board-1/poll", (String) null,
                    Map.of("Origin", "http://page.example"));
            assertEquals(404, refused.status());
            assertEquals(Requests.error(REFUSALS.get(ClientTransport.LONGPOLL)), refused.json());
            assertEquals("http://page.example", refused.header("Access-Control-Allow-Origin"),
                    "the page may read why");
        }
    }

    @Test
    void aListIsReadFromTheFlagOrTheEnvironment() {
        assertEquals(EnumSet.of(ClientTransport.SSE, ClientTransport.POLL),
                ConfigParser.parse(new String[] {"--transports", " poll , sse,poll "}, Map.of()).transports());
        assertEquals(EnumSet.of(ClientTransport.LONGPOLL, ClientTransport.POLL),
                ConfigParser.parse(new String[0], Map.of("LIVEBOARD_TRANSPORTS", "longpoll,poll")).transports());
        assertEquals(EnumSet.of(ClientTransport.WS),
                ConfigParser.parse(new String[] {"--transports=ws"}, Map.of("LIVEBOARD_TRANSPORTS", "poll"))
                        .transports(), "the flag wins");
        Config config = ConfigParser.parse(new String[] {"--transports", "sse,longpoll"}, Map.of());
        assertTrue(config.toString().contains(" transports=sse,longpoll"), config.toString());
        assertTrue(Config.defaults().toString().contains(" transports=ws,sse,longpoll,poll"));
        assertTrue(ConfigParser.USAGE.contains("--transports LIST"), ConfigParser.USAGE);
        assertTrue(ConfigParser.USAGE.contains("[LIVEBOARD_TRANSPORTS]"), ConfigParser.USAGE);
    }

    @Test
    void anUnknownTransportOrAnEmptyListStopsTheStart() {
        assertEquals("--transports: unknown transport 'x' (ws, sse, longpoll, poll)",
                refused(new String[] {"--transports", "ws,x"}, Map.of()));
        assertEquals("--transports: unknown transport 'WS' (ws, sse, longpoll, poll)",
                refused(new String[] {"--transports", "WS"}, Map.of()));
        assertEquals("--transports: unknown transport 'websocket' (ws, sse, longpoll, poll)",
                refused(new String[] {"--transports=websocket"}, Map.of()));
        assertEquals("LIVEBOARD_TRANSPORTS: unknown transport 'carrier-pigeon' (ws, sse, longpoll, poll)",
                refused(new String[0], Map.of("LIVEBOARD_TRANSPORTS", "sse,carrier-pigeon")));
        assertEquals("--transports must name at least one of ws, sse, longpoll, poll",
                refused(new String[] {"--transports", ","}, Map.of()));
        assertEquals("--transports must name at least one of ws, sse, longpoll, poll",
                refused(new String[] {"--transports="}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Config.builder().transports(Set.of()).build());
    }

    private static String refused(String[] args, Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigParser.parse(args, env)).getMessage();
    }

    /** Each of the transport's ways in answers 404 with the message naming it; a WebSocket is not opened. */
    private static void assertRefused(TestServer server, Http http, ClientTransport transport) {
        JsonNode expected = Requests.error(REFUSALS.get(transport));
        if (transport == ClientTransport.WS) {
            for (String path : List.of("/", "/ws")) {
                HttpWire.Answer answer = RawUpgrade.attempt(server, path, Map.of());
                assertEquals(404, answer.status(), "upgrade at " + path + ": " + answer.body());
                assertEquals(expected.toString(), answer.body(), "upgrade at " + path);
            }
            return;
        }
        for (String path : paths(transport)) {
            Http.Reply reply = http.get(path);
            assertEquals(404, reply.status(), path + ": " + reply.body());
            assertEquals(expected, reply.json(), path);
            Requests.Raw head = Requests.rawClose(server, "HEAD", path, Duration.ofSeconds(5));
            assertEquals(404, head.status(), "HEAD " + path);
        }
    }

    /** The transport's real client gets what it came for. */
    private static void assertWorks(TestServer server, Http http, ClientTransport transport) {
        switch (transport) {
            case WS -> {
                for (String path : List.of("/", "/ws")) {
                    try (WsClient client = WsClient.connect(server, path)) {
                        JsonNode joined = client.join("board-1");
                        assertEquals("joined", joined.path("type").asText(), path + ": " + joined);
                    }
                }
            }
            case SSE -> {
                for (String path : paths(transport)) {
                    try (SseClient stream = SseClient.open(server, path)) {
                        assertEquals(200, stream.status(), path);
                        SseClient.Event connected = stream.await(e -> e.data() != null);
                        assertEquals("connected", connected.json().path("type").asText(), path);
                    }
                }
            }
            case LONGPOLL, POLL -> {
                for (String path : paths(transport)) {
                    Http.Reply reply = http.get(path);
                    assertEquals(200, reply.status(), path + ": " + reply.body());
                    JsonNode body = reply.json();
                    assertTrue(body.path("data").size() + body.path("deleted").size() + body.path("events").size() > 0,
                            path + " answers the change made before: " + reply.body());
                }
            }
            default -> throw new AssertionError(transport);
        }
    }

    /** The HTTP ways in of a transport, each of which answers at once on a board that has changed. */
    private static List<String> paths(ClientTransport transport) {
        String since = "since=" + Instant.EPOCH;
        return switch (transport) {
            case WS -> List.of("/", "/ws");
            case SSE -> List.of("/boards/board-1/events", "/events?boards=board-1");
            case LONGPOLL -> List.of("/boards/board-1/poll?after=0", "/boards/board-1/poll?" + since);
            case POLL -> List.of("/boards/board-1/updates?after=0", "/boards/board-1/updates?" + since);
        };
    }
}
