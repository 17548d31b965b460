package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Alice and Bob, each in a browser of their own, on board-1: what one does (create, edit, drag, keyboard move,
 * delete) appears in the other's window within a second, highlighted and announced; both are listed as viewers,
 * and one's typing shows in the other's window until it stops.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BoardLiveTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    private static TestServer server;
    private static Http http;
    private static ChromeDriver aliceBrowser;
    private static ChromeDriver bobBrowser;
    private static BoardPage alice;
    private static BoardPage bob;

    @BeforeAll
    static void open() {
        Chromium.assumeAvailable();
        server = TestServer.start();
        http = new Http(server);
        aliceBrowser = Chromium.open();
        bobBrowser = Chromium.open();
        alice = BoardPage.open(aliceBrowser, server.http("/b/board-1"));
        bob = BoardPage.open(bobBrowser, server.http("/b/board-1"));
    }

    @AfterAll
    static void close() {
        if (aliceBrowser != null) {
            aliceBrowser.quit();
        }
        if (bobBrowser != null) {
            bobBrowser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void bothAreLiveOverWebSocketAndListedAsViewers() {
        assertEquals("websocket", alice.transport());
        assertEquals("Live (WebSocket)", alice.connection().getText());
        for (BoardPage page : List.of(alice, bob)) {
            page.await(BoardPage.WAIT, "two viewers", d -> page.viewers().size() == 2);
            assertTrue(page.presenceText().endsWith(" viewing"), page.presenceText());
        }
        assertEquals(alice.viewers(), bob.viewers());
        List<String> names = List.of("To Do", "In Progress", "Done");
        List<String> shown = aliceBrowser.findElements(By.cssSelector("[data-list-id] h2")).stream()
                .map(WebElement::getText).toList();
        assertEquals(names, shown);
        assertEquals("Product launch", aliceBrowser.findElement(By.cssSelector("[data-board-name]")).getText());
    }

    @Test
    @Order(2)
    void aCardCreatedByOneAppearsInTheOtherWithinASecond() {
        alice.addTask("list-todo", "Buy milk");
        String id = alice.await(BoardPage.WAIT, "Alice's card confirmed", d -> alice.idOf("Buy milk"));
        bob.await(SECOND, "Bob sees the card", d -> id.equals(bob.idOf("Buy milk")));
        assertEquals(List.of("Buy milk"), bob.titles("list-todo"));
        assertTrue(bob.card(id).getAttribute("class").contains("highlight"), "highlighted in Bob's window");
        bob.await(BoardPage.WAIT, "announced", d -> bob.announcements().contains("Added “Buy milk” to To Do"));
        assertEquals(1, alice.count("Buy milk"));
        JsonNode task = http.get("/tasks/" + id).json();
        assertEquals("Buy milk", task.get("title").asText());
        assertEquals("list-todo", task.get("listId").asText());
        // Alice's own card is not highlighted as someone else's change
        assertTrue(alice.card(id).getAttribute("data-highlight") == null);
    }

    @Test
    @Order(3)
    void anEditByOneAppearsInTheOther() {
        String id = alice.idOf("Buy milk");
        bob.edit(id, "Buy oat milk", "2 litres");
        alice.await(SECOND, "Alice sees the edit", d -> List.of("Buy oat milk").equals(alice.titles("list-todo")));
        assertEquals("2 litres", alice.card(id).findElement(By.cssSelector("[data-card-description]")).getText());
        JsonNode task = http.get("/tasks/" + id).json();
        assertEquals("Buy oat milk", task.get("title").asText());
        assertEquals("2 litres", task.get("description").asText());
    }

    @Test
    @Order(4)
    void aDragByOneAppearsInTheOther() {
        String first = alice.idOf("Buy oat milk");
        alice.addTask("list-todo", "Call the venue");
        alice.addTask("list-todo", "Print flyers");
        String second = alice.await(BoardPage.WAIT, "confirmed", d -> alice.idOf("Call the venue"));
        String third = alice.await(BoardPage.WAIT, "confirmed", d -> alice.idOf("Print flyers"));
        bob.await(SECOND, "Bob has the three", d -> List.of(first, second, third).equals(bob.taskIds("list-todo")));

        // Bob drags "Print flyers" above "Buy oat milk"
        bob.drag(third, "list-todo", first);
        bob.await(SECOND, "shown where it was dropped", d -> List.of(third, first, second).equals(bob.taskIds("list-todo")));
        alice.await(SECOND, "Alice sees the new order",
                d -> List.of(third, first, second).equals(alice.taskIds("list-todo")));
        // and Alice drags "Call the venue" into Done
        alice.drag(second, "list-done", null);
        bob.await(SECOND, "Bob sees it in Done", d -> List.of(second).equals(bob.taskIds("list-done")));
        assertEquals(List.of(third, first), bob.taskIds("list-todo"));
        JsonNode moved = http.get("/tasks/" + second).json();
        assertEquals("list-done", moved.get("listId").asText());
        assertEquals(0, http.get("/tasks/" + third).json().get("position").asInt());
    }

    @Test
    @Order(5)
    void aKeyboardMoveByOneAppearsInTheOther() {
        List<String> todo = alice.taskIds("list-todo"); // [Print flyers, Buy oat milk]
        String top = todo.get(0);
        alice.menuByKeyboard(top, "[data-action=move-down]");
        bob.await(SECOND, "Bob sees it moved down", d -> List.of(todo.get(1), top).equals(bob.taskIds("list-todo")));
        // the focus stays on the moved card's menu button, so the next move is one more key away
        WebElement focused = aliceBrowser.switchTo().activeElement();
        assertEquals(top, focused.findElement(By.xpath("ancestor::*[@data-task-id]")).getAttribute("data-task-id"));

        alice.menuByKeyboard(top, "[data-action=move-to][data-target-list=list-doing]");
        bob.await(SECOND, "Bob sees it in In Progress", d -> List.of(top).equals(bob.taskIds("list-doing")));
        assertEquals("list-doing", http.get("/tasks/" + top).json().get("listId").asText());
        assertTrue(alice.announcements().contains("Moved “Print flyers” to In Progress"), alice.announcements());
    }

    @Test
    @Order(6)
    void aDeleteByOneAppearsInTheOther() {
        String id = bob.idOf("Buy oat milk");
        bob.delete(id);
        alice.await(SECOND, "gone from Alice's window", d -> alice.count("Buy oat milk") == 0);
        assertEquals(404, http.get("/tasks/" + id).status());
        alice.await(BoardPage.WAIT, "announced", d -> alice.announcements().contains("Deleted “Buy oat milk”"));
    }

    @Test
    @Order(7)
    void typingInOneWindowShowsInTheOtherUntilItStops() {
        String id = alice.idOf("Print flyers");
        WebElement editor = alice.openEditor(id);
        editor.findElement(By.name("description")).sendKeys("A5, two hundred");
        String aliceName = bob.await(BoardPage.WAIT, "Bob sees Alice typing", d -> {
            String line = bob.typingLine();
            return line.endsWith(" is typing…") ? line.substring(0, line.length() - " is typing…".length()) : null;
        });
        assertTrue(alice.presenceText().contains(aliceName), alice.presenceText());
        bob.await(SECOND, "on the card Alice edits", d -> bob.cardTyping(id).equals(aliceName + " is typing…"));
        String other = bob.idOf("Call the venue");
        assertEquals("", bob.cardTyping(other), "on that card only");
        assertEquals("", alice.typingLine(), "one's own typing is not shown to oneself");
        editor.findElement(By.name("description")).sendKeys(Keys.ESCAPE);
        bob.await(SECOND, "the typing line gone", d -> bob.typingLine().isEmpty());
        bob.await(SECOND, "and the card's", d -> bob.cardTyping(id).isEmpty());
        assertEquals("", http.get("/tasks/" + id).json().get("description").asText(), "cancelled: nothing saved");
    }

    @Test
    @Order(8)
    void aChangeMadeElsewhereAppearsAndNoConsoleErrors() {
        JsonNode created = http.post("/tasks", "{\"title\":\"From the API\",\"listId\":\"list-done\"}").json();
        String id = created.get("id").asText();
        for (BoardPage page : List.of(alice, bob)) {
            page.await(SECOND, "the REST change shown", d -> id.equals(page.idOf("From the API")));
        }
        assertEquals(List.of(), Chromium.consoleErrors(aliceBrowser));
        assertEquals(List.of(), Chromium.consoleErrors(bobBrowser));
    }
}
