package io.liveboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A JDK HttpClient speaking JSON to a {@link TestServer}. */
public final class Http {

    /** A response: status, parsed JSON body (null when empty or not JSON), raw body and the response itself. */
    public record Reply(int status, JsonNode json, String body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final TestServer server;

    public Http(TestServer server) {
        this.server = server;
    }

    public Reply get(String path) {
        return send("GET", path, null, null);
    }

    public Reply post(String path, String json) {
        return send("POST", path, json, null);
    }

    public Reply patch(String path, String json) {
        return send("PATCH", path, json, null);
    }

    public Reply delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** Any method, optional JSON body and optional {@code X-Socket-Id}. */
    public Reply send(String method, String path, String json, String socketId) {
        return request(method, path, json, socketId == null ? Map.of() : Map.of("X-Socket-Id", socketId));
    }

    /** Any method, optional JSON body, and these headers ({@code Idempotency-Key}, {@code Authorization}, …). */
    public Reply request(String method, String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .timeout(Duration.ofSeconds(40))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return reply(client, request.build(), method + " " + path);
    }

    /**
     * Sends a request built elsewhere (other headers, other bodies) and answers it as a {@link Reply}, its body
     * parsed when the answer says it is JSON; {@code what} names the request if sending it fails.
     */
    public static Reply reply(HttpClient client, HttpRequest request, String what) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
            JsonNode node = body == null || body.isEmpty() || !isJson ? null : Json.parse(body);
            return new Reply(response.statusCode(), node, body, response);
        } catch (IOException e) {
            throw new IllegalStateException(what + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient client() {
        return client;
    }

    /** Creates a board (asserting 201) and returns its id. */
    public String newBoard(String name) {
        Reply reply = post("/boards", Json.write(Map.of("name", name)));
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("id").asText();
    }

    /** The id of the board's first list ("To Do"). */
    public String firstListOf(String boardId) {
        return get("/boards/" + boardId).json().path("lists").path(0).path("id").asText();
    }

    /** Creates a task (asserting 201 and its title) and returns it. */
    public JsonNode createTask(String listId, String title) {
        Reply reply = post("/tasks", Json.write(Map.of("listId", listId, "title", title)));
        assertEquals(201, reply.status(), reply.body());
        assertEquals(title, reply.json().path("title").asText());
        return reply.json();
    }

    /** {@code GET /admin/connections}, asserting 200. */
    public JsonNode connections() {
        Reply reply = get("/admin/connections");
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    /** The store's epoch, as polling answers carry it. */
    public String epoch() {
        return get("/boards/board-1/updates?after=0").json().path("epoch").asText();
    }
}
