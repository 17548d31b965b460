package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the test classes that share one real server with {@code --auth token} (fresh database) for all
 * their tests; {@code admin} calls it with a token for every board.
 */
abstract class AuthServerTest {

    protected static TestServer server;
    protected static Caller admin;

    @BeforeAll
    static void startTokenServer() {
        try {
            server = TestServer.start(TestServer.fastConfig(
                    Files.createTempDirectory("liveboard-auth-test").resolve("liveboard.db")).toBuilder().auth(AuthMode.TOKEN).jwtSecret(Tokens.SECRET).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        admin = Caller.bearer(server, Tokens.issue("admin", "Admin", List.of("*")));
    }

    @AfterAll
    static void stopTokenServer() {
        server.close();
    }

    /** {@code {"error": message}} as the server writes it. */
    static JsonNode error(String message) {
        return Json.MAPPER.valueToTree(Map.of("error", message));
    }

    static void assertError(int status, String message, Http.Reply reply) {
        assertEquals(status, reply.status(), reply.body());
        assertEquals(error(message), reply.json(), reply.body());
    }

    /** The {@code Authorization: Bearer} header for the token. */
    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
