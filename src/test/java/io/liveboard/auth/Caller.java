package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JDK HttpClient that sends a token one of the ways the spec allows ({@link Via}), or none; answers are
 * {@link Http.Reply}s as the other tests know them.
 */
final class Caller {

    /** How a token travels: {@code Authorization: Bearer}, {@code ?token=}, or the {@code session} cookie. */
    enum Via {
        BEARER, QUERY, COOKIE;

        /** The path with the token added (QUERY), else as it is. */
        String path(String path, String token) {
            if (this != QUERY || token == null) {
                return path;
            }
            return path + (path.contains("?") ? "&" : "?") + "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        }

        /** The headers carrying the token (BEARER, COOKIE), else none. */
        Map<String, String> headers(String token) {
            if (token == null) {
                return Map.of();
            }
            return switch (this) {
                case BEARER -> Map.of("Authorization", "Bearer " + token);
                case COOKIE -> Map.of("Cookie", "session=" + token);
                case QUERY -> Map.of();
            };
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final TestServer server;
    private final String token;
    private final Via via;

    Caller(TestServer server, String token, Via via) {
        this.server = server;
        this.token = token;
        this.via = via;
    }

    static Caller bearer(TestServer server, String token) {
        return new Caller(server, token, Via.BEARER);
    }

    /** No token at all. */
    static Caller anonymous(TestServer server) {
        return new Caller(server, null, Via.BEARER);
    }

    String token() {
        return token;
    }

    Http.Reply get(String path) {
        return send("GET", path, null, Map.of());
    }

    Http.Reply post(String path, String json) {
        return send("POST", path, json, Map.of());
    }

    Http.Reply patch(String path, String json) {
        return send("PATCH", path, json, Map.of());
    }

    Http.Reply delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    /**
     * Opens an SSE request expecting a refusal: a JSON answer is read whole; a stream that opens instead is
     * closed at once and answered with its status and an empty body (so that the test fails, not hangs).
     */
    Http.Reply stream(String path) {
        HttpRequest request = request("GET", path, null, Map.of("Accept", "text/event-stream"));
        try {
            HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
            try (InputStream body = response.body()) {
                String text = isJson ? new String(body.readAllBytes(), StandardCharsets.UTF_8) : "";
                return new Http.Reply(response.statusCode(), isJson && !text.isEmpty() ? Json.parse(text) : null, text,
                        null);
            }
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Http.Reply send(String method, String path, String json, Map<String, String> extraHeaders) {
        return Http.reply(CLIENT, request(method, path, json, extraHeaders), method + " " + path);
    }

    private HttpRequest request(String method, String path, String json, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(via.headers(token));
        headers.putAll(extraHeaders);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(via.path(path, token))))
                .timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return request.build();
    }

    /** Creates a board (asserting 201); needs a token for all boards. */
    String newBoard(String name) {
        Http.Reply reply = post("/boards", Json.write(Map.of("name", name)));
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("id").asText();
    }

    /** The id of the board's first list ("To Do"). */
    String firstListOf(String boardId) {
        return board(boardId).path("lists").path(0).path("id").asText();
    }

    /** {@code GET /boards/{id}}, asserting 200. */
    JsonNode board(String boardId) {
        Http.Reply reply = get("/boards/" + boardId);
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    /** Creates a task (asserting 201) and returns it. */
    JsonNode createTask(String listId, String title) {
        Http.Reply reply = post("/tasks", Json.write(Map.of("listId", listId, "title", title)));
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    /** {@code GET /admin/connections}, asserting 200 (needs a token for all boards). */
    JsonNode connections() {
        Http.Reply reply = get("/admin/connections");
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    /** The user ids {@code GET /boards/{id}/presence} lists, in order. */
    List<String> presentUserIds(String boardId) {
        Http.Reply reply = get("/boards/" + boardId + "/presence");
        assertEquals(200, reply.status(), reply.body());
        List<String> ids = new ArrayList<>();
        reply.json().path("users").forEach(u -> ids.add(u.path("userId").asText()));
        return ids;
    }
}
