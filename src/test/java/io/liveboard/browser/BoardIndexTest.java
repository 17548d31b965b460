package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The list of boards at {@code /}: every board linked, and a board created there opens and works; a board that
 * does not exist says so, with the way back.
 */
@Timeout(120)
class BoardIndexTest {

    @Test
    void boardsAreListedAndABoardCreatedFromThePageOpensAndWorks() {
        Chromium.assumeAvailable();
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            ChromeDriver driver = Chromium.open();
            try {
                driver.get(server.http("/"));
                BoardPage page = new BoardPage(driver);
                List<WebElement> links = page.await(BoardPage.WAIT, "the boards listed",
                        d -> { List<WebElement> l = d.findElements(By.cssSelector("[data-boards] a[data-board-id]"));
                            return l.size() == 2 ? l : null; });
                assertEquals(List.of("Product launch", "Team retro"), links.stream().map(WebElement::getText).toList());
                assertEquals(server.http("/b/board-2"), links.get(1).getAttribute("href"));

                driver.findElement(By.cssSelector("[data-form=create-board] input[name=name]"))
                        .sendKeys("Garden party", Keys.ENTER);
                page.await(BoardPage.WAIT, "the new board opened", d -> d.getCurrentUrl().startsWith(server.http("/b/")));
                page.awaitLive(BoardPage.WAIT);
                String boardId = driver.getCurrentUrl().substring(server.http("/b/").length());
                assertEquals("Garden party", driver.findElement(By.cssSelector("[data-board-name]")).getText());
                assertEquals("Garden party · Liveboard", driver.getTitle());
                JsonNode board = http.get("/boards/" + boardId).json();
                String todo = board.get("lists").get(0).get("id").asText();
                page.addTask(todo, "Buy lanterns");
                page.await(BoardPage.WAIT, "confirmed", d -> page.idOf("Buy lanterns") != null);
                assertEquals("Buy lanterns",
                        http.get("/boards/" + boardId).json().get("lists").get(0).get("tasks").get(0).get("title").asText());

                driver.navigate().back();
                page.await(BoardPage.WAIT, "the new board listed", d -> d.findElements(
                        By.cssSelector("[data-boards] a[data-board-id='" + boardId + "']")).size() == 1);
                assertEquals(List.of(), Chromium.consoleErrors(driver));

                driver.get(server.http("/b/no-such-board"));
                WebElement message = page.await(BoardPage.WAIT, "the message", d -> {
                    WebElement m = d.findElement(By.cssSelector("[data-board-message]"));
                    return m.isDisplayed() ? m : null;
                });
                assertEquals("There is no board “no-such-board”. All boards", message.getText());
                message.findElement(By.linkText("All boards")).click();
                page.await(BoardPage.WAIT, "back on the list", d -> d.getCurrentUrl().equals(server.http("/")));
            } finally {
                driver.quit();
            }
        }
    }
}
