package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** A change the server refuses is shown at once, then rolled back with the server's reason in a visible alert. */
@Timeout(120)
class BoardRollbackTest {

    private static final String TOO_LONG = "x".repeat(501);

    @Test
    void aRefusedEditAndARefusedCreateAreRolledBackWithTheReasonShown() {
        Chromium.assumeAvailable();
        try (TestServer server = TestServer.start()) {
            Http http = new Http(server);
            String id = http.post("/tasks", "{\"title\":\"Original\",\"listId\":\"list-todo\","
                    + "\"description\":\"as it was\"}").json().get("id").asText();
            ChromeDriver driver = Chromium.open();
            try {
                BoardPage page = BoardPage.open(driver, server.http("/b/board-1"));
                page.await(BoardPage.WAIT, "the card", d -> id.equals(page.idOf("Original")));

                page.edit(id, TOO_LONG, "changed");
                page.await(BoardPage.WAIT, "the alert", d -> !page.alerts().isEmpty());
                assertEquals(List.of("Could not save “Original”: title must be at most 500 characters"), page.alerts());
                page.await(BoardPage.WAIT, "the card back as it was", d -> List.of("Original").equals(page.titles("list-todo")));
                WebElement card = page.card(id);
                assertEquals("as it was", card.findElement(By.cssSelector("[data-card-description]")).getText());
                assertNull(card.getAttribute("data-pending"));
                assertEquals("Original", http.get("/tasks/" + id).json().get("title").asText());

                // the alert goes when dismissed
                driver.findElement(By.cssSelector("[data-alert] [data-action=dismiss]")).click();
                assertEquals(List.of(), page.alerts());

                page.addTask("list-doing", TOO_LONG);
                page.await(BoardPage.WAIT, "the alert", d -> !page.alerts().isEmpty());
                assertEquals(List.of("Could not add “" + TOO_LONG + "”: title must be at most 500 characters"),
                        page.alerts());
                page.await(BoardPage.WAIT, "the refused card gone", d -> page.taskIds("list-doing").isEmpty());
                assertEquals(0, http.get("/boards/board-1").json().get("lists").get(1).get("tasks").size());
                assertTrue(page.taskIds("list-todo").equals(List.of(id)));
                assertEquals(List.of(), Chromium.consoleErrors(driver));
            } finally {
                driver.quit();
            }
        }
    }
}
