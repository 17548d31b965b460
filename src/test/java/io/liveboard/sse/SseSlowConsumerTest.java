package io.liveboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An SSE stream whose reader stops reading is cut, and another stream of the board misses nothing. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SseSlowConsumerTest {

    @Test
    void aStreamThatIsNotReadIsCutWhileAReadStreamGetsEveryEvent() throws Exception {
        Config fast = TestServer.fastConfig();
        Config config = fast.toBuilder().maxQueuedBytes(256 * 1024).build();
        try (TestServer server = TestServer.start(config)) {
            Http http = new Http(server);
            String board = http.newBoard("Slow readers");
            String list = http.firstListOf(board);
            try (SseClient reader = SseClient.open(server, "/boards/" + board + "/events")) {
                reader.await(e -> e.data() != null && e.data().contains("\"connected\""));
                // a second stream that is opened and then never read again
                HttpResponse<InputStream> stalled = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(server.http("/boards/" + board + "/events"))).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stalled.statusCode());
                Await.value("two streams on the board", 2,
                        () -> http.connections().path("boards").path(board).path("sse").asInt());

                String description = "d".repeat(8_000);
                int tasks = 0;
                while (http.connections().path("boards").path(board).path("sse").asInt() == 2) {
                    assertTrue(tasks < 4_000, "the stalled stream was never cut");
                    assertEquals(201, http.post("/tasks",
                            Json.write(Map.of("listId", list, "title", "t" + tasks, "description", description))).status());
                    tasks++;
                }
                for (int seq = 1; seq <= tasks; seq++) {
                    SseClient.Event event = reader.awaitEvent("task_created");
                    assertEquals(String.valueOf(seq), event.position(), "the read stream misses nothing");
                }
                assertTrue(http.get("/metrics").body()
                        .contains("liveboard_slow_consumer_disconnects_total{transport=\"sse\"} 1.0"));
                stalled.body().close();
            }
        }
    }
}
