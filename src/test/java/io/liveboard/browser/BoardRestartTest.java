package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The server stops under an open board: the indicator stops saying live and counts down to the next try; the
 * server comes back on the same port and database file, changes are made over REST, and the page shows each of
 * them once, without a reload.
 */
@Timeout(150)
class BoardRestartTest {

    @Test
    void thePageCatchesUpAfterARestartWithoutAReload() {
        Chromium.assumeAvailable();
        TestServer first = TestServer.start();
        int port = first.port();
        TestServer second = null;
        ChromeDriver driver = Chromium.open();
        try {
            Http before = new Http(first);
            String kept = before.post("/tasks", "{\"title\":\"Before the restart\",\"listId\":\"list-todo\"}")
                    .json().get("id").asText();
            BoardPage page = BoardPage.open(driver, first.http("/b/board-1"));
            page.await(BoardPage.WAIT, "the card", d -> kept.equals(page.idOf("Before the restart")));
            driver.executeScript("window.notReloaded = true");

            first.stop();
            page.await(BoardPage.WAIT, "the indicator no longer live", d -> !"live".equals(page.connectionState()));
            page.await(BoardPage.WAIT, "a countdown to the next try",
                    d -> page.connection().getText().matches("Reconnecting in \\d+ s…"));

            second = TestServer.start(first.config().toBuilder().port(port).build());
            Http after = new Http(second);
            String moved = after.post("/tasks", "{\"title\":\"Made after the restart\",\"listId\":\"list-todo\"}")
                    .json().get("id").asText();
            after.patch("/tasks/" + moved + "/move", "{\"listId\":\"list-done\"}");
            after.patch("/tasks/" + kept, "{\"title\":\"Renamed after the restart\"}");
            String gone = after.post("/tasks", "{\"title\":\"Created and deleted\",\"listId\":\"list-doing\"}")
                    .json().get("id").asText();
            after.delete("/tasks/" + gone);
            after.post("/tasks", "{\"title\":\"Last one\",\"listId\":\"list-doing\"}");

            page.awaitLive(Duration.ofSeconds(60));
            page.await(BoardPage.WAIT, "every change shown", d -> page.titles("list-doing").equals(List.of("Last one")));
            assertEquals(List.of("Renamed after the restart"), page.titles("list-todo"));
            assertEquals(List.of("Made after the restart"), page.titles("list-done"));
            assertEquals(List.of(moved), page.taskIds("list-done"));
            assertEquals(Boolean.TRUE, driver.executeScript("return window.notReloaded === true"));

            // and the page works on: a card made there reaches the server
            page.addTask("list-done", "After catching up");
            page.await(BoardPage.WAIT, "confirmed", d -> page.idOf("After catching up") != null);
            assertEquals(2, after.get("/boards/board-1").json().get("lists").get(2).get("tasks").size());
        } finally {
            driver.quit();
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
