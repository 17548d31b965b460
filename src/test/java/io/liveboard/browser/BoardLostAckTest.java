package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TcpProxy;
import io.liveboard.support.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A card added while the network fails between the page and the server: the page's command reaches the server,
 * which makes the card, but the connection is cut before the answer comes back. When the network is back the
 * page sends the command again with the same key and the server answers with the first result: the card exists
 * once, on the server and in every window.
 */
@Timeout(120)
class BoardLostAckTest {

    @Test
    void aCardWhoseAckIsLostIsMadeOnce() {
        Chromium.assumeAvailable();
        try (TestServer server = TestServer.start(); TcpProxy proxy = TcpProxy.start(server.port())) {
            Http http = new Http(server);
            ChromeDriver aliceBrowser = Chromium.open();
            ChromeDriver bobBrowser = Chromium.open();
            try {
                BoardPage alice = BoardPage.open(aliceBrowser, proxy.http("/b/board-1"));
                BoardPage bob = BoardPage.open(bobBrowser, server.http("/b/board-1"));

                proxy.cutAfterNextClientSend();
                alice.addTask("list-todo", "Sent once, answered never");
                Await.until("the card made on the server", () -> titles(http).equals(List.of("Sent once, answered never")));
                alice.await(BoardPage.WAIT, "Alice's page no longer live", d -> !"live".equals(alice.connectionState()));
                assertEquals(1, alice.count("Sent once, answered never"), "shown at once, while unanswered");

                proxy.allow();
                alice.awaitLive(Duration.ofSeconds(40));
                String id = alice.await(BoardPage.WAIT, "the card confirmed", d -> alice.idOf("Sent once, answered never"));
                assertNull(alice.card(id).getAttribute("data-pending"));
                assertEquals(List.of(id), alice.taskIds("list-todo"));
                bob.await(BoardPage.WAIT, "Bob has it", d -> List.of(id).equals(bob.taskIds("list-todo")));
                assertEquals(List.of("Sent once, answered never"), titles(http));
                assertEquals(1, alice.count("Sent once, answered never"));
                assertEquals(1, bob.count("Sent once, answered never"));
                assertEquals(List.of(), Chromium.consoleErrors(bobBrowser));
            } finally {
                aliceBrowser.quit();
                bobBrowser.quit();
            }
        }
    }

    /** The titles of board-1's To Do, as the server has them. */
    private static List<String> titles(Http http) {
        JsonNode tasks = http.get("/boards/board-1").json().get("lists").get(0).get("tasks");
        return tasks.findValuesAsText("title");
    }
}
