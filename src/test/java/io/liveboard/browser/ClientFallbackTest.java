package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.config.ClientTransport;
import io.liveboard.config.Config;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JS client with every transport allowed, against a server that turns some off ({@code --transports}): it
 * ends up live over the best one the server has, says which in its status, and gets the board's changes; and
 * when WebSocket comes back (the server restarted with every transport) it goes back up to it by itself, with no
 * event lost or doubled in the switch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientFallbackTest {

    @BeforeAll
    static void browser() {
        Chromium.assumeAvailable();
    }

    @ParameterizedTest(name = "--transports {0} → {1}")
    @CsvSource(delimiter = ';', value = {"sse,longpoll,poll; sse", "longpoll,poll; longpoll", "poll; poll"})
    void fallsBackToTheBestTransportTheServerHas(String serverTransports, String expected) {
        Config config = TestServer.fastConfig().toBuilder().transports(transports(serverTransports)).build();
        try (TestServer server = TestServer.start(config); ClientPage page = ClientPage.open(server.http(""))) {
            page.follow(ClientPage.FAST, "board-1");
            page.awaitLive(expected);
            new Http(server).post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"Over " + expected + "\"}");
            Await.value("the change over " + expected, List.of("Over " + expected), () -> page.titles("list-todo"));
            assertEquals(expected, page.status().path("transport").asText());
            List<String> errors = page.consoleErrors();
            assertTrue(errors.stream().allMatch(line -> line.contains("WebSocket connection to")
                    || line.contains("status of 404")), "only the browser's own lines for the refused transports: " + errors);
        }
    }

    @Test
    void goesBackUpToWebSocketWhenItComesBack() {
        Config withoutWs = TestServer.fastConfig().toBuilder().port(ClientResumeTest.freePort())
                .transports(transports("sse,longpoll,poll")).build();
        TestServer first = TestServer.start(withoutWs);
        try (ClientPage page = ClientPage.open(first.http(""))) {
            page.follow(ClientPage.FAST, "board-1");
            page.awaitLive("sse");
            first.stop();
            try (TestServer second = TestServer.start(withoutWs.toBuilder()
                    .transports(EnumSet.allOf(ClientTransport.class)).build())) {
                Http http = new Http(second);
                // one change after the other, each awaited, all along: some come while both transports carry the board
                int made = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!"websocket".equals(page.status().path("transport").asText()) && System.nanoTime() < deadline) {
                    http.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"T" + ++made + "\"}");
                    int count = made;
                    Await.until("task " + count + " reached the client", () -> page.titles("list-todo").size() == count);
                }
                page.awaitLive("websocket");
                http.post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"T" + ++made + "\"}");
                int count = made;
                Await.value("every task once, in order", count, () -> page.titles("list-todo").size());
                JsonNode board = http.get("/boards/board-1").json();
                Await.value("the client's board is the server's", board.path("lists"), () -> page.state().path("lists"));
                ClientResumeTest.assertEventsOnceInOrder(page.log("events"), 0, count);
                assertTrue(page.log("status").findValuesAsText("transport").contains("sse"));
            }
        } finally {
            first.stop();
        }
    }

    private static Set<ClientTransport> transports(String names) {
        return Arrays.stream(names.split(",")).map(ClientTransport::of)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ClientTransport.class)));
    }
}
