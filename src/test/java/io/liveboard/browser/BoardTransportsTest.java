package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.config.ClientTransport;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A server with some transports turned off ({@code --transports}): the page is live over the best one left, the
 * indicator says which, a change made over REST appears and one made in the page reaches the server.
 */
@Timeout(120)
class BoardTransportsTest {

    private static ChromeDriver driver;

    @BeforeAll
    static void open() {
        Chromium.assumeAvailable();
        driver = Chromium.open();
    }

    @AfterAll
    static void close() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void withoutWebSocketsThePageIsLiveOverSse() {
        liveOver(EnumSet.of(ClientTransport.SSE, ClientTransport.LONGPOLL, ClientTransport.POLL), "sse", "Live (SSE)");
    }

    @Test
    void withoutWebSocketsAndSseThePageIsLiveOverLongPolling() {
        liveOver(EnumSet.of(ClientTransport.LONGPOLL, ClientTransport.POLL), "longpoll", "Live (long polling)");
    }

    private static void liveOver(Set<ClientTransport> transports, String transport, String says) {
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder().transports(transports).build())) {
            Http http = new Http(server);
            Chromium.consoleErrors(driver); // forget the last test's
            BoardPage page = BoardPage.open(driver, server.http("/b/board-1"));
            assertEquals(transport, page.transport());
            assertEquals(says, page.connection().getText());

            String id = http.post("/tasks", "{\"title\":\"Over " + transport + "\",\"listId\":\"list-todo\"}")
                    .json().get("id").asText();
            page.await(Duration.ofSeconds(5), "the REST change shown", d -> id.equals(page.idOf("Over " + transport)));
            page.menuByKeyboard(id, "[data-action=move-to][data-target-list=list-done]");
            page.await(BoardPage.WAIT, "confirmed", d -> page.card(id).getAttribute("data-pending") == null
                    && List.of(id).equals(page.taskIds("list-done")));
            assertEquals("list-done", http.get("/tasks/" + id).json().get("listId").asText());
            assertEquals("live", page.connectionState());
            assertEquals(transport, page.transport());

            // the only console errors are the browser's own reports of the transports the server refused (404)
            for (String error : Chromium.consoleErrors(driver)) {
                assertTrue(error.contains("404") && (error.contains("/ws") || error.contains("/events")), error);
            }
            // off the page before its server stops: else it tries to reconnect, and the browser logs the refusals
            // into the next test's console
            driver.get("about:blank");
        }
    }
}
