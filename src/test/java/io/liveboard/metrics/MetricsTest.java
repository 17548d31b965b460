package io.liveboard.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /metrics} is Prometheus text whose figures follow what the server did. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest extends ServerTest {

    private static double sample(String text, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " ([0-9.E+-]+)$", Pattern.MULTILINE).matcher(text);
        if (!m.find()) {
            throw new AssertionError("No sample " + name + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String scrape() {
        Http.Reply reply = http.get("/metrics");
        assertEquals(200, reply.status());
        assertTrue(reply.header("Content-Type").startsWith("text/plain"), reply.header("Content-Type"));
        return reply.body();
    }

    @Test
    void exposesConnectionsMessagesEventsAndProcessFigures() {
        String before = scrape();
        double sent = sample(before, "liveboard_messages_sent_total{transport=\"websocket\"}");
        double bytes = sample(before, "liveboard_bytes_sent_bytes_total{transport=\"websocket\"}");
        double events = sample(before, "liveboard_events_published_total");
        try (WsClient a = WsClient.connect(server); WsClient b = WsClient.connect(server)) {
            a.join("board-2");
            b.join("board-2");
            a.awaitType("user_joined"); // sent after b's "joined": wait for it, or it may count after the scrape
            String during = scrape();
            assertEquals(2.0, sample(during, "liveboard_connections{transport=\"websocket\"}"));
            assertEquals(2.0, sample(during, "liveboard_room_members{transport=\"websocket\"}"));
            assertEquals(1.0, sample(during, "liveboard_rooms{transport=\"websocket\"}"));
            double sentAfterJoins = sample(during, "liveboard_messages_sent_total{transport=\"websocket\"}");

            double bytesAfterJoins = sample(during, "liveboard_bytes_sent_bytes_total{transport=\"websocket\"}");

            assertEquals(201, http.post("/tasks", "{\"title\":\"metered\",\"listId\":\"list-2-todo\"}").status());
            String event = a.awaitType("task_created").toString();
            assertEquals(event, b.awaitType("task_created").toString());
            String after = scrape();
            assertEquals(sentAfterJoins + 2, sample(after, "liveboard_messages_sent_total{transport=\"websocket\"}"));
            assertEquals(bytesAfterJoins + 2 * event.getBytes(StandardCharsets.UTF_8).length,
                    sample(after, "liveboard_bytes_sent_bytes_total{transport=\"websocket\"}"));
            assertTrue(bytesAfterJoins > bytes);
            assertEquals(events + 1, sample(after, "liveboard_events_published_total"));
            assertTrue(sentAfterJoins > sent, "joined/connected messages count too");
            assertTrue(sample(after,
                    "http_server_requests_seconds_count{method=\"POST\",route=\"/tasks\",status=\"201\"}") >= 1);
            assertTrue(sample(after, "process_cpu_time_ns_total") > 0);
            assertTrue(sample(after, "liveboard_process_resident_memory_bytes") > 0);
            assertTrue(after.contains("jvm_memory_used_bytes{"));
            assertTrue(after.contains("jetty_threads_busy"));
        }
        Await.until("connections gauge back to 0",
                () -> sample(scrape(), "liveboard_connections{transport=\"websocket\"}") == 0.0);
    }
}
