package io.liveboard.limits;

import static io.liveboard.net.RawHttp.HOME;
import static io.liveboard.net.RawHttp.OTHER;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.net.RawHttp;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.HttpWire;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --max-connections-per-ip 4} as WebSocket and SSE clients see it (issue 9, item 1): the limit is on TCP
 * connections, so a WebSocket upgrade or an SSE request beyond it is not answered 429 any more but closed unanswered;
 * WebSockets, SSE streams, long polls and plain keep-alive connections (the JDK HttpClient's pool included) count
 * together; a connection that ends, however it ends, gives its place back. (Raw TCP: {@code
 * io.liveboard.net.ConnectionLimitTest}.) Changes and checks that must not take a place of 127.0.0.1 come from
 * 127.0.0.2.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionsPerIpTest {

    private static final int LIMIT = 4;
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(2);

    private final List<AutoCloseable> clients = new ArrayList<>();
    private TestServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start(TestServer.fastConfig().toBuilder().maxConnectionsPerIp(LIMIT).build());
    }

    @AfterEach
    void stopServer() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        server.close();
    }

    @Test
    void aWebSocketBeyondTheLimitIsClosedUnansweredUntilOneCloses() {
        String board = newBoard("Per address, sockets");
        List<WsClient> sockets = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            sockets.add(keep(WsClient.connect(server)));
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            assertUpgradeRefused();
        }

        sockets.get(0).close();
        WsClient replacement = awaitAccepted(() -> WsClient.connect(server));
        replacement.join(board);
        JsonNode task = createTask(board, "to the replacement");
        assertEquals(task, replacement.awaitType("task_created").path("task"));
        // the freed place was taken once: the limit holds again
        assertUpgradeRefused();
        assertStreamRefused("/boards/" + board + "/events");
    }

    @Test
    void anSseStreamBeyondTheLimitIsClosedUnansweredUntilOneCloses() {
        String board = newBoard("Per address, streams");
        List<SseClient> streams = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            SseClient stream = keep(SseClient.open(server, "/boards/" + board + "/events"));
            assertEquals(200, stream.status());
            streams.add(stream);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            assertStreamRefused("/boards/" + board + "/events");
            assertStreamRefused("/events?boards=" + board);
        }

        streams.get(0).close();
        SseClient replacement = awaitAccepted(() -> SseClient.open(server, "/events?boards=" + board));
        assertEquals(200, replacement.status());
        JsonNode task = createTask(board, "to the replacement stream");
        assertEquals(task, replacement.awaitEvent("task_created").json().path("task"));
        assertEquals(task, streams.get(1).awaitEvent("task_created").json().path("task"));
        assertUpgradeRefused();
    }

    @Test
    void plainRequestsLongPollsStreamsAndSocketsCountTogether() {
        String board = newBoard("Per address, everything");
        // a JDK HttpClient that made one request keeps its connection in its pool: a place
        Http pooled = new Http(server);
        assertEquals(200, pooled.get("/healthz").status());
        // a long poll in flight (2 s in tests)
        Socket poll = keep(RawHttp.connect(server, HOME));
        RawHttp.write(poll, RawHttp.request(server, "GET", "/boards/" + board + "/poll", null));
        SseClient stream = keep(SseClient.open(server, "/boards/" + board + "/events"));
        assertEquals(200, stream.status());
        WsClient socket = keep(WsClient.connect(server));

        assertPlainRequestRefused();
        assertUpgradeRefused();

        // the long poll times out and is answered; its connection stays open (keep-alive) and keeps its place
        HttpWire.Answer answer = RawHttp.read(poll);
        assertEquals(200, answer.status(), answer.body());
        assertEquals(true, answer.json().path("timeout").booleanValue(), answer.body());
        assertPlainRequestRefused();

        stream.close();
        WsClient replacement = awaitAccepted(() -> WsClient.connect(server));
        replacement.join(board);
        socket.join(board);
        JsonNode task = createTask(board, "to two sockets");
        assertEquals(task, replacement.awaitType("task_created").path("task"));
        assertEquals(task, socket.awaitType("task_created").path("task"));
        // the pooled connection is still there, and still usable
        assertEquals(200, pooled.get("/healthz").status());
        assertPlainRequestRefused();
    }

    @Test
    void aSocketTheServerClosesGivesItsPlaceBack() {
        for (int i = 0; i < LIMIT - 1; i++) {
            keep(WsClient.connect(server));
        }
        WsClient offender = keep(WsClient.connect(server));
        assertUpgradeRefused();

        offender.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
        assertEquals(1009, offender.awaitClose());
        offender.close();

        WsClient replacement = awaitAccepted(() -> WsClient.connect(server));
        replacement.send("{\"type\":\"ping\"}");
        assertEquals(object("type", "pong"), replacement.awaitType("pong"));
        assertUpgradeRefused();
    }

    // ---- helpers

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }

    /**
     * Tries {@code connect} until the server accepts it (it notices a closed connection on its own time; until then
     * a new one from 127.0.0.1 is refused, and a refused one takes no place).
     */
    private <T extends AutoCloseable> T awaitAccepted(Supplier<T> connect) {
        List<T> accepted = new ArrayList<>();
        Await.until("a new connection from " + HOME + " is accepted", () -> {
            try {
                accepted.add(keep(connect.get()));
                return true;
            } catch (IllegalStateException refused) {
                return false;
            }
        });
        return accepted.get(0);
    }

    /** A WebSocket upgrade from 127.0.0.1 is closed without an answer: no 101, and no 429 either. */
    private void assertUpgradeRefused() {
        assertRefused("a WebSocket upgrade beyond the limit", "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
    }

    /** An SSE request from 127.0.0.1 is closed without an answer: no stream, and no 429 either. */
    private void assertStreamRefused(String path) {
        assertRefused("an SSE request beyond the limit (" + path + ")", "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port() + "\r\nAccept: text/event-stream\r\n\r\n");
    }

    private void assertPlainRequestRefused() {
        assertRefused("a plain request beyond the limit", RawHttp.request(server, "GET", "/healthz", null));
    }

    private void assertRefused(String what, String request) {
        try (Socket socket = RawHttp.connect(server, HOME)) {
            long start = System.nanoTime();
            try {
                RawHttp.write(socket, request);
            } catch (UncheckedIOException closedAlready) {
                return;
            }
            RawHttp.assertClosedWithoutAnswer(socket, start, REFUSED_WITHIN, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new board, made from 127.0.0.2; its id. */
    private String newBoard(String name) {
        HttpWire.Answer created = RawHttp.once(server, OTHER, "POST", "/boards", Json.write(Map.of("name", name)));
        assertEquals(201, created.status(), created.body());
        return created.json().path("id").asText();
    }

    /** A task in the board's first list, made from 127.0.0.2. */
    private JsonNode createTask(String board, String title) {
        HttpWire.Answer read = RawHttp.once(server, OTHER, "GET", "/boards/" + board, null);
        assertEquals(200, read.status(), read.body());
        String list = read.json().path("lists").path(0).path("id").asText();
        HttpWire.Answer created = RawHttp.once(server, OTHER, "POST", "/tasks",
                Json.write(Map.of("listId", list, "title", title)));
        assertEquals(201, created.status(), created.body());
        assertEquals(title, created.json().path("title").asText());
        return created.json();
    }
}
