package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Await;
import io.liveboard.support.TestServer;
import io.liveboard.support.WebFixture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The pages' Content-Security-Policy in the machine's Chromium (issue 11): a page served by Liveboard may load its
 * own script, style sheet and images ({@code data:} too) and talk to its own origin over WebSocket ({@code ws:},
 * which {@code connect-src 'self'} admits), EventSource and fetch, with nothing in the console; an inline script
 * is refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PagePolicyBrowserTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start(TestServer.fastConfig().toBuilder().webRoot(WebFixture.copy()).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePageTalksToItsOriginThreeWaysWithNoConsoleError() {
        ChromeDriver driver = Chromium.open();
        try {
            driver.get(server.http("/"));
            Await.until("the WebSocket joined", () -> text(driver, "ws").equals("joined board-1"));
            Await.until("the EventSource connected", () -> text(driver, "sse").equals("connected board-1"));
            Await.until("the fetch answered", () -> text(driver, "rest").equals("2 boards"));
            assertEquals("Fixture index", driver.getTitle());
            for (String image : List.of("dot", "icon")) {
                Object width = driver.executeScript("return document.getElementById(arguments[0]).naturalWidth",
                        image);
                assertTrue(((Number) width).intValue() > 0, image + " loaded");
            }
            assertEquals("32px", driver.executeScript("return getComputedStyle(document.body).marginTop"),
                    "the style sheet applies");
            assertEquals(List.of(), Chromium.consoleErrors(driver));
        } finally {
            driver.quit();
        }
    }

    @Test
    void anInlineScriptIsRefused() {
        ChromeDriver driver = Chromium.open();
        try {
            driver.get(server.http("/csp-probe.html"));
            assertEquals("probe", driver.getTitle());
            Await.until("the refusal is in the console", () -> {
                List<String> errors = Chromium.consoleErrors(driver);
                return errors.stream().anyMatch(line -> line.contains("Content Security Policy"));
            });
            assertEquals("not run", text(driver, "probe"));
        } finally {
            driver.quit();
        }
    }

    private static String text(ChromeDriver driver, String id) {
        return driver.findElement(By.id(id)).getText();
    }
}
