package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
 * The README's page "of another site", as written there, pasted into a page served by another web server (another
 * origin, with the server's address put in for {@code http://localhost:3000}): it imports the library from
 * Liveboard, is live over the WebSocket, shows a change made over REST, and has nothing in its console.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCrossOriginTest {

    @Test
    void aPageOfAnotherSiteIsLiveWithTheLibraryFromTheServer() throws IOException {
        Chromium.assumeAvailable();
        String readme = Files.readString(Path.of("README.md"));
        // the html block that imports the library from http://localhost:3000 (no ``` inside a block)
        Matcher block = Pattern.compile("```html\n((?:(?!```).)*?from \"http://localhost:3000/liveboard-client\\.js\""
                + "(?:(?!```).)*)```\n", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "the README has the page of another site");
        try (TestServer server = TestServer.start()) {
            String liveboard = server.http("").replaceAll("/$", "");
            byte[] page = block.group(1).replace("http://localhost:3000", liveboard).getBytes(StandardCharsets.UTF_8);
            HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            site.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/") ? 200 : 404, page.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            });
            site.start();
            ChromeDriver driver = Chromium.open();
            try {
                driver.get("http://127.0.0.1:" + site.getAddress().getPort() + "/");
                Await.until("live over websocket", () -> shown(driver).startsWith("live over websocket\nTo Do: "));
                new Http(server).post("/tasks", "{\"listId\":\"list-todo\",\"title\":\"From elsewhere\"}");
                Await.until("the new task on the page", () -> shown(driver).contains("To Do: From elsewhere"));
                List<String> errors = Chromium.consoleErrors(driver).stream()
                        .filter(line -> !line.contains("/favicon.ico ")).toList();
                assertTrue(errors.isEmpty(), errors.toString());
            } finally {
                driver.quit();
                site.stop(0);
            }
        }
    }

    private static String shown(ChromeDriver driver) {
        return (String) driver.executeScript("return document.getElementById('tasks').textContent;");
    }
}
