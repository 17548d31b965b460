package io.liveboard.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A browser with the JS client library loaded into a document of the server (its {@code /healthz}: any
 * same-origin document will do; the library has no page of its own), driven from the test: {@link #follow}
 * makes {@code window.client} and {@code window.board} and records everything they tell into {@code window.log}
 * ({@code status}, {@code authErrors}, and of the board {@code events}, {@code changes}, {@code presence},
 * {@code typing}, {@code errors}), which the test reads as JSON.
 */
final class ClientPage implements AutoCloseable {

    /** Timings that make a test's wait short: the library's defaults are 20 s pings, 45 s silence, 30 s upgrades. */
    static final String FAST = "pingInterval: 1000, silentTimeout: 4000, connectTimeout: 3000, upgradeInterval: 1500,"
            + " pollInterval: 300, presenceInterval: 500";

    private static final String RECORDER = """
            window.record = (client, board) => {
              const log = window.log = { status: [], authErrors: [], events: [], changes: [], presence: [], typing: [],
                errors: [] };
              client.on("status", (s) => log.status.push(s));
              client.on("auth_error", (e) => log.authErrors.push({ status: e.status, code: e.code, message: e.message }));
              board.on("event", (e) => log.events.push(e));
              board.on("state", (s, c) => log.changes.push({ kind: c.kind, own: c.own, taskId: c.taskId,
                tempId: c.tempId, type: c.event && c.event.type, seq: s.seq }));
              board.on("presence", (p) => log.presence.push(p));
              board.on("typing", (t) => log.typing.push(t));
              board.on("error", (e) => log.errors.push({ status: e.status, message: e.message }));
            };
            """;

    final ChromeDriver driver;

    private ClientPage(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A new browser on {@code origin + "/healthz"} with the library imported as {@code window.Liveboard}. */
    static ClientPage open(String origin) {
        ChromeDriver driver = Chromium.open();
        try {
            driver.get(origin + "/healthz");
            ClientPage page = new ClientPage(driver);
            page.call("window.Liveboard = await import('/liveboard-client.js');" + RECORDER);
            return page;
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
    }

    /**
     * {@code window.client = new LiveboardClient({options})}, {@code window.board = client.board(boardId)}, both
     * recorded. {@code options} is the inside of a JS object literal.
     */
    void follow(String options, String boardId) {
        run("window.client = new Liveboard.LiveboardClient({" + options + "});"
                + "window.board = client.board(" + Json.write(boardId) + ");"
                + "record(client, board);");
    }

    /** Runs a script (a function body) in the page; its return value as JSON. */
    JsonNode run(String body) {
        return parse(driver.executeScript("return JSON.stringify((() => {" + body + "})() ?? null);"));
    }

    /**
     * Runs an async function body in the page and waits for it: {@code {"ok": value}} or, when it throws,
     * {@code {"error": message, "status": status}}.
     */
    JsonNode call(String asyncBody) {
        Object result = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => { %s })().then(
                  (value) => done(JSON.stringify({ ok: value === undefined ? null : value })),
                  (e) => done(JSON.stringify({ error: String(e && e.message || e), status: e && e.status })));
                """.formatted(asyncBody));
        return parse(result);
    }

    private static JsonNode parse(Object json) {
        try {
            return Json.parse((String) json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The page answered no JSON: " + json, e);
        }
    }

    /** {@code window.log[name]}. */
    JsonNode log(String name) {
        return run("return window.log." + name + ";");
    }

    JsonNode status() {
        return run("return client.status;");
    }

    JsonNode state() {
        return run("return board.state;");
    }

    /** Waits until the client is live over {@code transport}. */
    void awaitLive(String transport) {
        Await.until("live over " + transport + " (status now " + status() + ")", Duration.ofSeconds(15), () -> {
            JsonNode status = status();
            return "live".equals(status.path("state").asText()) && transport.equals(status.path("transport").asText());
        });
    }

    /** The titles of a list's tasks in the state, in order. */
    List<String> titles(String listId) {
        List<String> titles = new ArrayList<>();
        for (JsonNode list : state().path("lists")) {
            if (list.path("id").asText().equals(listId)) {
                list.path("tasks").forEach(task -> titles.add(task.path("title").asText()));
            }
        }
        return titles;
    }

    /**
     * The console's errors since the last call, but for the browser's own request of {@code /favicon.ico} for the
     * JSON document the library runs in (a page names its icon; {@code /healthz} does not).
     */
    List<String> consoleErrors() {
        return Chromium.consoleErrors(driver).stream().filter(line -> !line.contains("/favicon.ico ")).toList();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
