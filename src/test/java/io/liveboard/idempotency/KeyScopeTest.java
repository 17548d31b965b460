package io.liveboard.idempotency;

import static io.liveboard.idempotency.Keys.REPLAYED;
import static io.liveboard.idempotency.Keys.keyed;
import static io.liveboard.idempotency.Keys.titles;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import io.liveboard.support.WsClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With {@code --auth token} keys are per user (the token's {@code sub}): one key of two users is two keys. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyScopeTest {

    /** The same secret as {@code io.liveboard.auth.Tokens.SECRET} (package-private there). */
    private static final String SECRET = "liveboard-auth-tests-secret-0123456789-abcdef";
    private static final JwtTokens TOKENS = new JwtTokens(SECRET, Clock.systemUTC());

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String token(String sub, List<String> boards) {
        return TOKENS.issue(sub, sub, boards, Duration.ofHours(1));
    }

    private static Http.Reply create(String token, String title, String key) {
        return keyed(http, "POST", "/tasks", Json.write(Map.of("listId", "list-todo", "title", title)), key,
                "Authorization", "Bearer " + token);
    }

    @Test
    void oneKeyOfTwoUsersIsTwoKeys() {
        String alice = token("alice", List.of("*"));
        String bob = token("bob", List.of("*"));
        String key = Keys.fresh();
        Http.Reply byAlice = create(alice, "Same words", key);
        Http.Reply byBob = create(bob, "Same words", key);
        assertEquals(List.of(201, 201), List.of(byAlice.status(), byBob.status()), byBob.body());
        assertNull(byBob.header(REPLAYED), "Bob's key is not Alice's");
        assertNotEquals(byAlice.json().path("id"), byBob.json().path("id"));

        Http.Reply aliceAgain = create(alice, "Same words", key);
        assertEquals(List.of("true", byAlice.body()), List.of(aliceAgain.header(REPLAYED), aliceAgain.body()));
        Http.Reply bobAgain = create(bob, "Same words", key);
        assertEquals(List.of("true", byBob.body()), List.of(bobAgain.header(REPLAYED), bobAgain.body()));
        // a user's key is the same on every transport, and on every connection of that user
        try (WsClient socket = WsClient.connect(server, "/ws", Map.of("Authorization", "Bearer " + alice))) {
            socket.send(Json.write(Map.of("type", "create_task", "listId", "list-todo", "title", "Same words",
                    "idempotencyKey", key)));
            JsonNode ack = socket.awaitType("ack");
            assertEquals(object("type", "ack", "boardId", "board-1", "seq", byAlice.header(Keys.SEQ), "task",
                    byAlice.json(), "replayed", true), object("type", ack.path("type"), "boardId", ack.path("boardId"),
                    "seq", ack.path("seq").asText(), "task", ack.path("task"), "replayed", ack.path("replayed")));
        }
        assertEquals(2, titles(http, "board-1", alice).stream().filter("Same words"::equals).count());
    }

    @Test
    void aReplayIsRefusedToAUserWhoMayNoLongerUseTheBoard() {
        String key = Keys.fresh();
        Http.Reply first = create(token("carol", List.of("board-1")), "Carol's", key);
        assertEquals(201, first.status(), first.body());
        Http.Reply narrowed = create(token("carol", List.of("board-2")), "Carol's", key);
        assertEquals(403, narrowed.status(), narrowed.body());
        assertNull(narrowed.header(REPLAYED));
    }
}
