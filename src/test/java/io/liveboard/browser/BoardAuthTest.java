package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.support.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * With {@code --auth token}: the page asks for a token when the server says 401, takes {@code ?token=} once (and
 * keeps it for the tab, out of the address bar), and says in plain words when a token has expired or does not
 * allow the board. Each case in a new tab: the token is kept per tab.
 */
@Timeout(120)
class BoardAuthTest {

    private static final String SECRET = "liveboard-browser-tests-secret-0123456789";

    private static TestServer server;
    private static ChromeDriver driver;
    private static JwtTokens tokens;
    private static String firstTab;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
        tokens = new JwtTokens(SECRET, Clock.systemUTC());
        driver = Chromium.open();
        firstTab = driver.getWindowHandle();
    }

    /** Closes the test's tab: its user leaves the board. */
    @AfterEach
    void closeTab() {
        if (!driver.getWindowHandle().equals(firstTab)) {
            driver.close();
        }
        driver.switchTo().window(firstTab);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String token(String sub, String name, List<String> boards, Duration ttl) {
        return tokens.issue(sub, name, boards, ttl);
    }

    private static BoardPage newTab(String path) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(server.http(path));
        return new BoardPage(driver);
    }

    private static WebElement tokenForm(BoardPage page, String message) {
        return page.await(BoardPage.WAIT, "the token form saying: " + message, d -> {
            WebElement form = d.findElement(By.cssSelector("[data-token-form]"));
            return form.isDisplayed() && message.equals(form.findElement(By.cssSelector("[data-auth-message]")).getText())
                    ? form : null;
        });
    }

    @Test
    void withoutATokenThePageAsksForOneAndGoesLiveWithIt() {
        BoardPage page = newTab("/b/board-1");
        WebElement form = tokenForm(page, "This server needs a token — paste yours to go on.");
        form.findElement(By.name("token")).sendKeys(token("alice", "Alice", List.of("board-1"), Duration.ofHours(1)),
                Keys.ENTER);
        page.awaitLive(BoardPage.WAIT);
        assertFalse(driver.findElement(By.cssSelector("[data-token-form]")).isDisplayed());
        page.await(BoardPage.WAIT, "Alice listed", d -> page.viewers().equals(List.of("alice")));
        assertEquals("Alice viewing", page.presenceText());
        page.addTask("list-todo", "Signed in");
        page.await(BoardPage.WAIT, "created", d -> page.idOf("Signed in") != null);
    }

    @Test
    void aTokenInTheAddressIsTakenOnceAndKeptForTheTab() {
        String token = token("bob", "Bob", List.of("board-1"), Duration.ofHours(1));
        BoardPage page = newTab("/b/board-1?token=" + token);
        page.awaitLive(BoardPage.WAIT);
        assertEquals(server.http("/b/board-1"), driver.getCurrentUrl(), "the token is out of the address bar");
        page.await(BoardPage.WAIT, "Bob listed", d -> page.viewers().contains("bob"));
        driver.navigate().refresh();
        page.awaitLive(BoardPage.WAIT);
        assertFalse(driver.findElement(By.cssSelector("[data-token-form]")).isDisplayed());
        assertTrue(page.viewers().contains("bob"));
    }

    @Test
    void anExpiredTokenIsToldAndANewOneAccepted() {
        String expired = new JwtTokens(SECRET, Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))
                .issue("carol", "Carol", List.of("board-1"), Duration.ofHours(1));
        BoardPage page = newTab("/b/board-1?token=" + expired);
        WebElement form = tokenForm(page, "Your token has expired — paste a new one.");
        form.findElement(By.name("token")).sendKeys(token("carol", "Carol", List.of("board-1"), Duration.ofHours(1)),
                Keys.ENTER);
        page.awaitLive(BoardPage.WAIT);
    }

    @Test
    void aTokenThatExpiresWhileTheBoardIsOpenIsToldThere() {
        // exp is in whole seconds: 4 s leaves 3 to 4 s to open the board
        BoardPage page = newTab("/b/board-1?token=" + token("dan", "Dan", List.of("board-1"), Duration.ofSeconds(4)));
        page.awaitLive(BoardPage.WAIT);
        tokenForm(page, "Your token has expired — paste a new one.");
        assertTrue(List.of("connecting", "offline").contains(page.connectionState()), page.connectionState());
        driver.findElement(By.cssSelector("[data-token-form] input[name=token]"))
                .sendKeys(token("dan", "Dan", List.of("board-1"), Duration.ofHours(1)), Keys.ENTER);
        page.awaitLive(BoardPage.WAIT);
    }

    @Test
    void aBoardTheTokenDoesNotAllowIsToldPlainly() {
        BoardPage page = newTab("/b/board-2?token=" + token("erin", "Erin", List.of("board-1"), Duration.ofHours(1)));
        WebElement message = page.await(BoardPage.WAIT, "the message", d -> {
            WebElement m = d.findElement(By.cssSelector("[data-board-message]"));
            return m.isDisplayed() ? m : null;
        });
        assertEquals("You may not open this board. All boards", message.getText());
        assertEquals(List.of(), driver.findElements(By.cssSelector("[data-list-id]")));
        assertFalse(driver.findElement(By.cssSelector("[data-token-form]")).isDisplayed());
    }
}
