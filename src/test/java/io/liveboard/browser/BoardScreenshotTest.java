package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The board as the README shows it: a screenshot of a board with a few cards, Alice in the browser and Bob typing
 * on one of them elsewhere, saved to {@code target/screenshots/board.png} and, when it shows something else than
 * {@code docs/board.png} (more than a few pixels of anti-aliasing), there too (1280×800); and the board on a phone-width screen (390×844), where
 * the columns scroll sideways, a card can be added to any of them, and a finger drags cards.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BoardScreenshotTest {

    private static final String SECRET = "liveboard-browser-tests-secret-0123456789";
    private static final Path SCREENSHOT = Path.of("docs", "board.png");
    /** Every run's picture, whether or not it replaced the README's. */
    private static final Path LATEST = Path.of("target", "screenshots", "board.png");
    /**
     * Pixels a run may differ by and leave {@code docs/board.png} as it is: Chromium's anti-aliasing of an edge
     * varies by a pixel or two between runs, which is no reason to change a file of the repository.
     */
    private static final int MAX_NOISE = 100;

    private static TestServer server;
    private static JwtTokens tokens;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
        tokens = new JwtTokens(SECRET, Clock.systemUTC());
        String admin = tokens.issue("admin", "Admin", List.of("*"), Duration.ofHours(1));
        String[][] cards = {
            {"list-todo", "Write the launch post", "Draft for the blog and the newsletter"},
            {"list-todo", "Book the venue", ""},
            {"list-todo", "Order T-shirts", "Sizes S–XXL, 120 in all"},
            {"list-doing", "Landing page", "Hero image, pricing table, sign-up form"},
            {"list-doing", "Press kit", ""},
            {"list-done", "Pick the launch date", "Tuesday 14 April"},
        };
        for (String[] card : cards) {
            post(admin, "{\"listId\":\"" + card[0] + "\",\"title\":\"" + card[1] + "\",\"description\":\"" + card[2]
                    + "\"}");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void post(String token, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.http("/tasks")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        assertEquals(201, Http.reply(HttpClient.newHttpClient(), request, "POST /tasks").status());
    }

    private static String url(String sub, String name) {
        return server.http("/b/board-1?token=" + tokens.issue(sub, name, List.of("board-1"), Duration.ofHours(1)));
    }

    /** Sets the page's viewport to exactly {@code width}×{@code height} CSS pixels. */
    private static void viewport(ChromeDriver driver, int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    @Test
    @Order(1)
    void aScreenshotOfABoardIsSavedForTheReadme() throws IOException {
        ChromeDriver driver = Chromium.open(1280, 800);
        String bobToken = tokens.issue("bob", "Bob", List.of("board-1"), Duration.ofHours(1));
        try (WsClient bob = WsClient.connect(server, "/ws?token=" + bobToken)) {
            viewport(driver, 1280, 800, false);
            BoardPage page = BoardPage.open(driver, url("alice", "Alice"));
            bob.join("board-1");
            page.await(BoardPage.WAIT, "Alice and Bob listed", d -> page.viewers().size() == 2);
            String venue = page.idOf("Book the venue");
            bob.send("{\"type\":\"typing\",\"boardId\":\"board-1\",\"taskId\":\"" + venue + "\"}");
            page.await(BoardPage.WAIT, "Bob typing", d -> page.typingLine().equals("Bob is typing…"));
            page.await(BoardPage.WAIT, "on the card", d -> page.cardTyping(venue).equals("Bob is typing…"));
            assertEquals("Alice, Bob viewing", page.presenceText());
            assertEquals(3, page.titles("list-todo").size());

            // the images decoded, the fonts loaded and two frames drawn: the same picture on every run
            driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + " Promise.all([...document.images].map(i => i.decode()).concat(document.fonts.ready))"
                    + ".then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())))");
            byte[] png = driver.getScreenshotAs(OutputType.BYTES);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(1280, image.getWidth());
            assertEquals(800, image.getHeight());
            Files.createDirectories(LATEST.getParent());
            Files.write(LATEST, png);
            if (!Files.exists(SCREENSHOT) || differingPixels(ImageIO.read(SCREENSHOT.toFile()), image) > MAX_NOISE) {
                Files.createDirectories(SCREENSHOT.getParent());
                Files.write(SCREENSHOT, png);
            }
            assertEquals(List.of(), Chromium.consoleErrors(driver));
        } finally {
            driver.quit();
        }
    }

    @Test
    @Order(2)
    void onAPhoneWidthScreenTheColumnsScrollAndCardsCanBeAddedAndDraggedByFinger() {
        ChromeDriver driver = Chromium.open(390, 844);
        try {
            viewport(driver, 390, 844, true);
            driver.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 1));
            BoardPage page = BoardPage.open(driver, url("carol", "Carol"));
            long pageWidth = (Long) driver.executeScript("return document.documentElement.scrollWidth");
            assertTrue(pageWidth <= 390, "the page itself does not scroll sideways: " + pageWidth);
            long columnsWidth = (Long) driver.executeScript(
                    "return document.querySelector('[data-columns]').scrollWidth");
            assertTrue(columnsWidth > 390, "the columns do, within their area: " + columnsWidth);

            page.addTask("list-todo", "From the phone");
            page.await(BoardPage.WAIT, "created", d -> page.idOf("From the phone") != null);
            page.addTask("list-done", "Also in Done"); // the last column, scrolled into view to type in it
            page.await(BoardPage.WAIT, "created", d -> page.idOf("Also in Done") != null);
            assertEquals(List.of("Pick the launch date", "Also in Done"), page.titles("list-done"));

            // a finger drags a card too: hold it, move it above another, lift
            List<String> todo = page.taskIds("list-todo"); // the three of the screenshot, then "From the phone"
            page.touchDrag(todo.get(3), todo.get(0));
            page.await(BoardPage.WAIT, "moved to the top", d -> page.taskIds("list-todo").get(0).equals(todo.get(3)));
            page.await(BoardPage.WAIT, "confirmed", d -> page.card(todo.get(3)).getAttribute("data-pending") == null);
            assertEquals(List.of(), Chromium.consoleErrors(driver));
        } finally {
            driver.quit();
        }
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        if (a == null || a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return Integer.MAX_VALUE;
        }
        int differing = 0;
        for (int x = 0; x < a.getWidth(); x++) {
            for (int y = 0; y < a.getHeight(); y++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    differing++;
                }
            }
        }
        return differing;
    }
}
