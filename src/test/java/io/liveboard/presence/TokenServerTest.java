package io.liveboard.presence;

import io.liveboard.auth.AuthMode;
import static io.liveboard.support.JsonFields.object;
import static io.liveboard.support.JsonFields.user;
import static io.liveboard.support.JsonFields.users;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the presence tests that run with {@code --auth token}: one real server per class, users Alice,
 * Bob and Carol with tokens for every board, and the expected shapes of presence messages.
 */
abstract class TokenServerTest {

    static final String SECRET = "presence-test-secret-0123456789-abcdef";
    private static final JwtTokens TOKENS = new JwtTokens(SECRET, Clock.systemUTC());
    static final String ALICE = TOKENS.issue("alice", "Alice", List.of("*"), Duration.ofHours(1));
    static final String BOB = TOKENS.issue("bob", "Bob", List.of("*"), Duration.ofHours(1));
    static final String CAROL = TOKENS.issue("carol", "Carol", List.of("*"), Duration.ofHours(1));

    static TestServer server;
    static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
        http = new Http(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Every test closes its sockets and streams; wait until the server saw them go. */
    @AfterEach
    void everyConnectionGone() {
        Await.value("open connections after the test (websocket/sse)", "0/0", () -> {
            JsonNode connections = http.get("/admin/connections?token=" + ALICE).json();
            return connections.path("websocket").asInt() + "/" + connections.path("sse").asInt();
        });
    }

    /** A WebSocket tab of the token's user (the token on the upgrade). */
    static WsClient tab(String token) {
        return WsClient.connect(server, "/ws?token=" + token);
    }

    static String newBoard(String name) {
        Http.Reply reply = http.post("/boards?token=" + ALICE, Json.write(Map.of("name", name)));
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("id").asText();
    }

    static JsonNode presenceOverRest(String board) {
        Http.Reply reply = http.get("/boards/" + board + "/presence?token=" + BOB);
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    static int websocketsOn(String board) {
        return http.get("/admin/connections?token=" + ALICE).json().path("boards").path(board).path("websocket").asInt();
    }

    static int streamsOn(String board) {
        return http.get("/admin/connections?token=" + ALICE).json().path("boards").path(board).path("sse").asInt();
    }

    static String leave(String board) {
        return "{\"type\":\"leave\",\"boardId\":\"" + board + "\"}";
    }

    static String typing(String board) {
        return "{\"type\":\"typing\",\"boardId\":\"" + board + "\"}";
    }

    static String stopTyping(String board) {
        return "{\"type\":\"stop_typing\",\"boardId\":\"" + board + "\"}";
    }

    /**
     * Proves that no presence news reached the socket for what happened before: joining again a board it is
     * in runs on the fan-out thread after every room change queued before it (closes, leaves and typing
     * included) and answers only {@code joined}, so news of those changes would come first.
     */
    static void noAnnouncementBefore(WsClient client, String board) {
        Set<String> news = Set.of("user_joined", "user_left", "presence", "user_typing");
        client.send("{\"type\":\"join\",\"boardId\":\"" + board + "\"}");
        JsonNode next = client.await(m -> "joined".equals(m.path("type").asText()) || news.contains(m.path("type").asText()));
        assertEquals("joined", next.path("type").asText(), "expected no presence news, got " + next);
    }



    /** The {@code presence} message a joiner gets: the users in order of arrival. */
    static JsonNode presence(String board, String... idsAndNames) {
        return object("type", "presence", "boardId", board, "users", users(idsAndNames));
    }

    /** What {@code GET /boards/{id}/presence} answers. */
    static JsonNode rest(String board, String... idsAndNames) {
        return object("boardId", board, "users", users(idsAndNames));
    }

    static JsonNode announcement(String type, String board, int viewers, String userId, String name) {
        return object("type", type, "boardId", board, "viewers", viewers, "user", user(userId, name));
    }

    static JsonNode typingNews(String board, String userId, String name, boolean typing) {
        return object("type", "user_typing", "boardId", board, "user", user(userId, name), "typing", typing);
    }
}
