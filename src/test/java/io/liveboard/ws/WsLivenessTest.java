package io.liveboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that stop reading: one that never answers pings is dropped, one that lets its outbound queue
 * overflow is cut, and a healthy member of the same room carries on receiving everything.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WsLivenessTest {

    /** A client that joins a board and then never reads again (no demand): no pongs, no draining. */
    public static final class Stalled implements FrameHandler {
        private final String boardId;

        Stalled(String boardId) {
            this.boardId = boardId;
        }

        @Override
        public void onOpen(CoreSession session, Callback callback) {
            callback.succeeded();
            session.sendFrame(new Frame(OpCode.TEXT).setPayload("{\"type\":\"join\",\"boardId\":\"" + boardId + "\"}"),
                    Callback.NOOP, false);
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            callback.succeeded();
        }
    }

    /** Reads the next task_created and checks it follows {@code previous}; returns its seq. */
    private static int nextSeq(WsClient client, int previous) {
        JsonNode event = client.await(m -> "task_created".equals(m.path("type").asText()));
        assertEquals(previous + 1, event.path("seq").asInt(), "the healthy member misses nothing");
        return previous + 1;
    }

    private static Config config(Duration ping, long maxQueued) throws Exception {
        Config fast = TestServer.fastConfig();
        return fast.toBuilder().wsPingInterval(ping).maxQueuedBytes(maxQueued).build();
    }

    private static int websocketsOn(Http http, String boardId) {
        return http.connections().path("boards").path(boardId).path("websocket").asInt();
    }

    private static double metric(Http http, String name) {
        for (String line : http.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("No metric " + name);
    }

    @Test
    void aPeerThatMissesAPongIsDroppedAndLeavesItsRoom() throws Exception {
        try (TestServer server = TestServer.start(config(Duration.ofMillis(300), 1024 * 1024))) {
            Http http = new Http(server);
            WebSocketCoreClient stalledClient = new WebSocketCoreClient();
            stalledClient.start();
            try (WsClient healthy = WsClient.connect(server)) {
                healthy.join("board-1");
                stalledClient.connect(new Stalled("board-1"), URI.create(server.ws("/ws"))).get(10, TimeUnit.SECONDS);
                healthy.awaitType("user_joined");
                assertEquals(2, websocketsOn(http, "board-1"));

                JsonNode left = healthy.awaitType("user_left");
                assertEquals(1, left.path("viewers").asInt());
                assertEquals(1, websocketsOn(http, "board-1"));
                // the healthy one answers pings (Jetty's client pongs) and stays, several intervals later
                healthy.assertNoneBeforePong(m -> "user_left".equals(m.path("type").asText()));
                assertTrue(healthy.isOpen());
            } finally {
                stalledClient.stop();
            }
        }
    }

    @Test
    void aPeerThatStopsReadingIsCutAsASlowConsumerWhileTheRoomGetsEverything() throws Exception {
        try (TestServer server = TestServer.start(config(Duration.ofSeconds(30), 256 * 1024))) {
            Http http = new Http(server);
            String board = http.newBoard("Slow consumers");
            String list = http.firstListOf(board);
            WebSocketCoreClient stalledClient = new WebSocketCoreClient();
            stalledClient.start();
            try (WsClient healthy = WsClient.connect(server)) {
                healthy.join(board);
                stalledClient.connect(new Stalled(board), URI.create(server.ws("/ws"))).get(10, TimeUnit.SECONDS);
                healthy.awaitType("user_joined");

                String description = "d".repeat(8_000);
                int tasks = 0;
                int read = 0;
                while (websocketsOn(http, board) == 2) {
                    assertTrue(tasks < 4_000, "the stalled peer was never cut");
                    Http.Reply created = http.post("/tasks",
                            Json.write(Map.of("listId", list, "title", "t" + tasks, "description", description)));
                    assertEquals(201, created.status());
                    tasks++;
                    // the healthy member keeps up (at most 10 events, 80 KB, behind) however slow this machine is
                    while (read < tasks - 10) {
                        read = nextSeq(healthy, read);
                    }
                }
                while (read < tasks) {
                    read = nextSeq(healthy, read);
                }
                assertEquals(1.0, metric(http, "liveboard_slow_consumer_disconnects_total{transport=\"websocket\"}"));
                Await.value("stalled peer gone from the room", 1, () -> websocketsOn(http, board));
            } finally {
                stalledClient.stop();
            }
        }
    }
}
