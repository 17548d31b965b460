package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JS client across outages, on each transport: a server restarted on the same port and database while the
 * client waits (it reconnects by itself, connecting → live, and has every change once, no reload); an outage
 * behind a proxy during which the board changes (the client resumes from its cursor: the missed events, each
 * once, no resync); and one long enough that the server no longer keeps the missed events (a resync replaces
 * the state); a connection that goes silent; the browser's online and offline events.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientResumeTest {

    @BeforeAll
    static void browser() {
        Chromium.assumeAvailable();
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void catchesUpWithChangesMadeAfterARestart(String transport) {
        Config config = TestServer.fastConfig().toBuilder().port(freePort()).build();
        TestServer first = TestServer.start(config);
        try (ClientPage page = ClientPage.open(first.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", "board-1");
            page.awaitLive(transport);
            Http http = new Http(first);
            String early = http.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"Before\"}").json().path("id").asText();
            Await.value("the task made before the restart", List.of("Before"), () -> page.titles("list-todo"));

            first.stop();
            Await.until("the client notices the server is gone",
                    () -> !"live".equals(page.status().path("state").asText()));
            try (TestServer second = TestServer.start(config)) {
                Http again = new Http(second);
                String a = again.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"After 1\"}").json().path("id").asText();
                again.post("/tasks", "{\"listId\":\"list-doing\",\"title\":\"After 2\"}");
                again.patch("/tasks/" + a + "/move", "{\"listId\":\"list-done\"}");
                again.delete("/tasks/" + early);

                page.awaitLive(transport);
                JsonNode board = again.get("/boards/board-1").json();
                Await.value("the client's board is the server's", board.path("lists"), () -> page.state().path("lists"));
                assertEventsOnceInOrder(page.log("events"), 0, board.path("seq").asLong());
                assertEquals(List.of("live", "connecting", "live"), states(page.log("status")),
                        "live, connecting while the server was away, live again");
            }
        } finally {
            first.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void resumesFromItsCursorAfterAnOutage(String transport) {
        try (TestServer server = TestServer.start(); TcpProxy proxy = TcpProxy.start(server.port());
                ClientPage page = ClientPage.open(proxy.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", "board-1");
            page.awaitLive(transport);
            Http http = new Http(server);

            proxy.refuse();
            proxy.cutAll();
            Await.until("the client notices the outage", () -> !"live".equals(page.status().path("state").asText()));
            for (int i = 1; i <= 3; i++) {
                http.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"Missed " + i + "\"}");
            }
            proxy.allow();

            page.awaitLive(transport);
            Await.value("the missed tasks", List.of("Missed 1", "Missed 2", "Missed 3"), () -> page.titles("list-todo"));
            assertEventsOnceInOrder(page.log("events"), 0, 3);
            assertTrue(kinds(page.log("changes")).stream().noneMatch("resync"::equals), page.log("changes").toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void aClientTooFarBehindIsResynced(String transport) {
        Config config = TestServer.fastConfig().toBuilder().retention(3).build();
        try (TestServer server = TestServer.start(config); TcpProxy proxy = TcpProxy.start(server.port());
                ClientPage page = ClientPage.open(proxy.http(""))) {
            Http http = new Http(server);
            String doomed = http.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"Doomed\"}").json().path("id").asText();
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", "board-1");
            page.awaitLive(transport);

            proxy.refuse();
            proxy.cutAll();
            Await.until("the client notices the outage", () -> !"live".equals(page.status().path("state").asText()));
            http.delete("/tasks/" + doomed);
            for (int i = 1; i <= 6; i++) {
                http.post("/tasks", "{\"listId\":\"list-doing\",\"title\":\"Far " + i + "\"}");
            }
            proxy.allow();

            page.awaitLive(transport);
            JsonNode board = http.get("/boards/board-1").json();
            Await.value("the resynced board is the server's", board.path("lists"), () -> page.state().path("lists"));
            assertEquals(board.path("seq").asLong(), page.state().path("seq").asLong());
            assertTrue(kinds(page.log("changes")).contains("resync"), page.log("changes").toString());
            assertEquals(List.of(), page.titles("list-todo"));
        }
    }

    /**
     * A connection that goes silent without closing (the proxy stops forwarding) is taken for dead after the
     * silence allowed (4 s here; 45 s by default), and the client comes back live on a new one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"websocket", "sse", "longpoll", "poll"})
    void noticesASilentConnection(String transport) {
        try (TestServer server = TestServer.start(); TcpProxy proxy = TcpProxy.start(server.port());
                ClientPage page = ClientPage.open(proxy.http(""))) {
            page.follow(ClientPage.FAST + ", transports: ['" + transport + "']", "board-1");
            page.awaitLive(transport);
            int before = page.run("return log.status.length;").asInt();
            proxy.stallAll();
            // from the status log, not the status now: a poll is back on a new connection within moments
            Await.until("the client takes the silent connection for dead", Duration.ofSeconds(10),
                    () -> page.run("return log.status.slice(" + before + ").some((s) => s.state !== 'live');")
                            .asBoolean());
            page.awaitLive(transport);
            new Http(server).post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"After the silence\"}");
            Await.value("the change on the new connection", List.of("After the silence"), () -> page.titles("list-todo"));
        }
    }

    /**
     * The browser's {@code offline} event stops the client (offline, no retry pending); {@code online} makes it
     * try again at once, not at the end of its backoff. {@code close()} leaves nothing running.
     */
    @Test
    void followsTheBrowsersOnlineAndOfflineEventsAndCloses() {
        try (TestServer server = TestServer.start(); TcpProxy proxy = TcpProxy.start(server.port());
                ClientPage page = ClientPage.open(proxy.http(""))) {
            countSockets(page);
            page.follow(ClientPage.FAST, "board-1");
            page.awaitLive("websocket");

            JsonNode offline = page.run("window.dispatchEvent(new Event('offline')); return client.status;");
            assertEquals("offline", offline.path("state").asText(), offline.toString());
            assertTrue(offline.path("retryAt").isNull(), offline.toString());

            proxy.refuse();
            proxy.cutAll(); // the browser's kept-alive HTTP connections too: the server is unreachable
            page.run("window.dispatchEvent(new Event('online'));");
            Await.until("a retry is scheduled after the refused attempts", () -> {
                JsonNode status = page.status();
                return "connecting".equals(status.path("state").asText()) && status.path("retryAt").isNumber();
            });
            JsonNode now = page.run("""
                    const before = window.sockets;
                    window.dispatchEvent(new Event('online'));
                    return { before, after: window.sockets, retryAt: client.status.retryAt };
                    """);
            assertEquals(now.path("before").asInt() + 1, now.path("after").asInt(), "a new socket at once: " + now);
            assertTrue(now.path("retryAt").isNull(), now.toString());
            proxy.allow();
            page.awaitLive("websocket");

            JsonNode closed = page.call("""
                    client.close();
                    const before = { sockets: window.sockets, requests: window.requests };
                    await new Promise((resolve) => setTimeout(resolve, 3000)); // absence takes a while to see
                    return { before, after: { sockets: window.sockets, requests: window.requests },
                      status: client.status };
                    """).path("ok");
            assertEquals(closed.path("before"), closed.path("after"), "nothing runs after close: " + closed);
            assertEquals("offline", closed.path("status").path("state").asText());
            // (an idle kept-alive HTTP connection in the browser's pool is the browser's, not the client's)
            Await.value("no WebSocket or stream left on the server", "0/0", () -> {
                JsonNode connections = new Http(server).get("/admin/connections").json();
                return connections.path("websocket").asInt() + "/" + connections.path("sse").asInt();
            });
        }
    }

    /** Counts the WebSockets ({@code window.sockets}) and fetches ({@code window.requests}) the page makes. */
    static void countSockets(ClientPage page) {
        page.run("""
                window.sockets = 0;
                window.requests = 0;
                const fetch = window.fetch;
                window.fetch = (...args) => { window.requests++; return fetch(...args); };
                const WebSocket = window.WebSocket;
                window.WebSocket = class extends WebSocket {
                  constructor(...args) { super(...args); window.sockets++; }
                };
                """);
    }

    /** The events told are {@code from + 1 … to}, each once, in order. */
    static void assertEventsOnceInOrder(JsonNode events, long from, long to) {
        List<Long> seqs = new ArrayList<>();
        events.forEach(event -> seqs.add(event.path("seq").asLong()));
        List<Long> expected = new ArrayList<>();
        for (long seq = from + 1; seq <= to; seq++) {
            expected.add(seq);
        }
        assertEquals(expected, seqs, "each event once, in seq order");
    }

    /** The status states in order, repeats folded. */
    static List<String> states(JsonNode statuses) {
        List<String> states = new ArrayList<>();
        for (JsonNode status : statuses) {
            String state = status.path("state").asText();
            if (states.isEmpty() || !states.get(states.size() - 1).equals(state)) {
                states.add(state);
            }
        }
        if (!states.isEmpty() && states.get(0).equals("connecting")) {
            states.remove(0); // the first connection
        }
        return states;
    }

    static List<String> kinds(JsonNode changes) {
        List<String> kinds = new ArrayList<>();
        changes.forEach(change -> kinds.add(change.path("kind").asText()));
        return kinds;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
