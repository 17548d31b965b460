package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The README's JS client example, as it is written there: its page and its module, served by Liveboard (from a
 * {@code --web-root} folder beside the library, under the pages' Content-Security-Policy), show board-1 live in
 * Chromium, a change made over REST appearing without a reload, and nothing in the console.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientReadmeExampleTest {

    @Test
    void theExampleShowsTheBoardLive() throws IOException {
        Chromium.assumeAvailable();
        String readme = Files.readString(Path.of("README.md"));
        Path web = Files.createTempDirectory("liveboard-readme-example");
        Files.writeString(web.resolve("tasks.html"), block(readme, "```html\n", "<!doctype html><title>board-1</title>"));
        Files.writeString(web.resolve("tasks.js"), block(readme, "```js\n", "// tasks.js\n"));
        try (InputStream library = getClass().getResourceAsStream("/web/liveboard-client.js")) {
            Files.write(web.resolve("liveboard-client.js"), library.readAllBytes());
        }
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder().webRoot(web).build())) {
            ChromeDriver driver = Chromium.open();
            try {
                driver.get(server.http("/tasks.html"));
                Await.until("the example says live over websocket",
                        () -> shown(driver).startsWith("live over websocket\nTo Do: \nIn Progress: \nDone: "));
                new Http(server).post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"From the README\"}");
                Await.until("the new task on the page", () -> shown(driver).contains("To Do: From the README"));
                driver.executeScript("window.board.createTask({ listId: 'list-done', title: 'Hello' });");
                Await.until("the page's own task", () -> shown(driver).contains("Done: Hello"));
                List<String> errors = Chromium.consoleErrors(driver).stream()
                        .filter(line -> !line.contains("/favicon.ico ")).toList();
                assertTrue(errors.isEmpty(), errors.toString());
            } finally {
                driver.quit();
            }
        }
    }

    private static String shown(ChromeDriver driver) {
        return (String) driver.executeScript("return document.getElementById('tasks').textContent;");
    }

    /** The code block of the README that opens with {@code fence} and starts with {@code start}, as written. */
    private static String block(String readme, String fence, String start) {
        Matcher matcher = Pattern.compile(Pattern.quote(fence + start) + "(.*?)\n```\n", Pattern.DOTALL).matcher(readme);
        assertTrue(matcher.find(), "the README has a block starting " + start);
        return new String((start + matcher.group(1) + "\n").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
