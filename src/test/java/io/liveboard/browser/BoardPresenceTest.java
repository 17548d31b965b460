package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Many viewers: the header names the first eight and counts the others ("… and 4 others viewing"), and follows
 * them as they leave. And the indicator says "Offline" when the browser has no network, live again when it has.
 */
@Timeout(120)
class BoardPresenceTest {

    @Test
    void manyViewersAreNamedThenCountedAndOfflineIsTold() {
        Chromium.assumeAvailable();
        List<WsClient> others = new ArrayList<>();
        try (TestServer server = TestServer.start()) {
            ChromeDriver driver = Chromium.open();
            try {
                BoardPage page = BoardPage.open(driver, server.http("/b/board-1"));
                for (int i = 0; i < 11; i++) {
                    WsClient other = WsClient.connect(server);
                    other.join("board-1");
                    others.add(other);
                }
                page.await(BoardPage.WAIT, "eight named, four counted",
                        d -> page.presenceText().endsWith(" and 4 others viewing"));
                assertEquals(8, page.viewers().size());
                for (WsClient other : others.subList(0, 10)) {
                    other.close();
                }
                page.await(BoardPage.WAIT, "two left", d -> page.viewers().size() == 2);
                assertTrue(page.presenceText().matches("Guest \\w+, Guest \\w+ viewing"), page.presenceText());

                driver.executeCdpCommand("Network.enable", Map.of());
                driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", true, "latency", 0,
                        "downloadThroughput", -1, "uploadThroughput", -1));
                page.await(BoardPage.WAIT, "offline", d -> "offline".equals(page.connectionState()));
                assertEquals("Offline", page.connection().getText());
                driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
                        "downloadThroughput", -1, "uploadThroughput", -1));
                page.awaitLive(BoardPage.WAIT);
                assertEquals("Live (WebSocket)", page.connection().getText());
            } finally {
                driver.quit();
                others.forEach(WsClient::close);
            }
        }
    }
}
