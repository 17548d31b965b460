package io.liveboard.http;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.App;
import io.liveboard.board.BoardStore;
import io.liveboard.board.Change;
import io.liveboard.board.Task;
import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.ForwardingBoardStore;
import io.liveboard.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, item 5, at the server: once the store's writer thread has died (the work of one write threw an {@link Error}),
 * that request and every later write answer 503 {@code {"error":"Storage is unavailable, try again"}} at once
 * instead of hanging, and {@code GET /healthz} answers 503 {@code {"status":"failing","failing":["store-writer"]}}
 * (200 {@code {"status":"ok"}} before).
 *
 * <p>The seam: {@code new App(Config, UnaryOperator<BoardStore>)}, the operator wrapping the real
 * SQLite store. The wrapper here passes everything on, except that the work of a create whose title is
 * "boom" throws an Error on the writer thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final JsonNode UNAVAILABLE = object("error", "Storage is unavailable, try again");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private App app;

    @BeforeEach
    void start() throws Exception {
        Config config = TestServer.fastConfig();
        app = new App(config, BoomStore::new).start();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void aDeadStoreWriterAnswers503AtOnceAndHealthzSaysSo() {
        assertEquals(new Answer(200, object("status", "ok")), get("/healthz"));
        Answer before = post("/tasks", Map.of("listId", "list-todo", "title", "before"));
        assertEquals(201, before.status(), before.toString());

        Answer boom = assertTimeoutPreemptively(PROMPTLY, () -> post("/tasks", Map.of("listId", "list-todo",
                "title", "boom")), "the create whose work killed the writer");
        assertEquals(new Answer(503, UNAVAILABLE), boom);

        Answer after = assertTimeoutPreemptively(PROMPTLY, () -> post("/tasks", Map.of("listId", "list-todo",
                "title", "after")), "a create after the writer died");
        assertEquals(new Answer(503, UNAVAILABLE), after);
        Answer move = assertTimeoutPreemptively(PROMPTLY, () -> send("PATCH", "/tasks/"
                + before.json().path("id").asText() + "/move", Map.of("listId", "list-done")), "a move after that");
        assertEquals(new Answer(503, UNAVAILABLE), move);

        assertEquals(new Answer(503, object("status", "failing", "failing", List.of("store-writer"))),
                assertTimeoutPreemptively(PROMPTLY, () -> get("/healthz")));

        // what was committed can still be read; nothing of the failed writes was kept
        Answer board = assertTimeoutPreemptively(PROMPTLY, () -> get("/boards/board-1"));
        assertEquals(200, board.status(), board.toString());
        List<String> titles = new ArrayList<>();
        board.json().path("lists").forEach(list -> list.path("tasks").forEach(t -> titles.add(t.path("title").asText())));
        assertEquals(List.of("before"), titles);
    }

    /** The real store, except that the work of a create titled "boom" throws an Error (on the writer thread). */
    private static final class BoomStore extends ForwardingBoardStore {

        BoomStore(BoardStore real) {
            super(real);
        }

        @Override
        public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
            return real.write(tx -> {
                T result = work.run(tx);
                if (result instanceof Change<?> change && change.value() instanceof Task task
                        && "boom".equals(task.title())) {
                    throw new StackOverflowError("test: the work of the create 'boom' dies");
                }
                return result;
            }, afterCommit);
        }
    }

    /** A status and its JSON body. */
    private record Answer(int status, JsonNode json) {
    }

    private Answer get(String path) {
        return send("GET", path, null);
    }

    private Answer post(String path, Map<String, Object> body) {
        return send("POST", path, body);
    }

    private Answer send(String method, String path, Map<String, Object> body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isEmpty() ? null : Json.parse(response.body()));
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }
}
