package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code liveboard.jar token …}: prints a token the server takes; refuses to print one without secret, sub or boards. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenCommandTest extends AuthServerTest {

    /** What one run printed. */
    private record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TokenCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsATokenTheServerAcceptsForTheNamedBoardsAndUser() {
        Run run = run(Map.of("LIVEBOARD_JWT_SECRET", Tokens.SECRET),
                "--sub", "cli-carl", "--name", "Carl from the CLI", "--boards", "board-2");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        String token = run.out().strip();
        assertEquals(1, run.out().strip().lines().count(), run.out());

        Caller carl = Caller.bearer(server, token);
        JsonNode boards = carl.get("/boards").json();
        assertEquals(List.of("board-2"), AuthHttpTest.ids(boards));
        assertError(403, "Forbidden", carl.get("/boards/board-1"));
        try (WsClient ws = WsClient.connect(server, "/ws?token=" + token, Map.of())) {
            assertEquals(AuthWebSocketTest.user("cli-carl", "Carl from the CLI"), ws.drain().get(0).path("user"));
        }
        DecodedJWT jwt = JWT.decode(token);
        assertEquals("HS256", jwt.getAlgorithm());
        long left = Duration.between(Instant.now(), jwt.getExpiresAtAsInstant()).toSeconds();
        assertTrue(left > 3500 && left <= 3600, "default ttl: " + left + " s left");
    }

    @Test
    void allBoardsTtlAndTheSecretAsAFlag() {
        Run run = run(Map.of(), "--jwt-secret", Tokens.SECRET, "--sub", "cli-star", "--boards", "*", "--ttl", "60");
        assertEquals(0, run.status(), run.err());
        Caller star = Caller.bearer(server, run.out().strip());
        List<String> ids = AuthHttpTest.ids(star.get("/boards").json());
        assertTrue(ids.containsAll(List.of("board-1", "board-2")), ids.toString());
        assertEquals(201, star.post("/boards", "{\"name\":\"From a CLI token\"}").status());
        assertEquals(200, star.get("/admin/connections").status());
        long left = Duration.between(Instant.now(), JWT.decode(run.out().strip()).getExpiresAtAsInstant()).toSeconds();
        assertTrue(left > 0 && left <= 60, left + " s left");
        // --name defaults to the user id
        try (WsClient ws = WsClient.connect(server, "/ws", bearer(run.out().strip()))) {
            assertEquals(AuthWebSocketTest.user("cli-star", "cli-star"), ws.drain().get(0).path("user"));
        }
    }

    @Test
    void aTokenMadeWithAnotherSecretIsRefused() {
        Run run = run(Map.of("LIVEBOARD_JWT_SECRET", Tokens.OTHER_SECRET), "--sub", "x", "--boards", "board-1");
        assertEquals(0, run.status(), run.err());
        assertError(401, "Unauthorized", Caller.bearer(server, run.out().strip()).get("/boards"));
    }

    @Test
    void refusesWithoutSecretSubOrBoards() {
        Map<String, String> secret = Map.of("LIVEBOARD_JWT_SECRET", Tokens.SECRET);
        assertRefused(run(Map.of(), "--sub", "a", "--boards", "board-1"), "LIVEBOARD_JWT_SECRET");
        assertRefused(run(Map.of("LIVEBOARD_JWT_SECRET", "too-short"), "--sub", "a", "--boards", "board-1"), "32");
        assertRefused(run(secret, "--boards", "board-1"), "--sub");
        assertRefused(run(secret, "--sub", "", "--boards", "board-1"), "--sub");
        assertRefused(run(secret, "--sub", "a"), "--boards");
        assertRefused(run(secret, "--sub", "a", "--boards", " "), "--boards");
        assertRefused(run(secret), "--sub");
        assertRefused(run(secret, "--sub", "a", "--boards", "board-1", "--ttl", "0"), "--ttl");
        assertRefused(run(secret, "--sub", "a", "--boards", "board-1", "--ttl", "soon"), "ttl");
        assertRefused(run(secret, "--sub"), "--sub");
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        Run run = run(Map.of(), "--help");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("Usage: java -jar target/liveboard.jar token"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void anUnknownOptionIsNamed() {
        Run run = run(Map.of("LIVEBOARD_JWT_SECRET", Tokens.SECRET), "--sub", "a", "--boards", "board-1", "--bogus");
        assertRefused(run, "Unknown option: --bogus");
    }

    private static void assertRefused(Run run, String mentioned) {
        assertEquals(2, run.status(), run.toString());
        assertEquals("", run.out(), "printed something anyway");
        assertTrue(run.err().contains(mentioned), "error should mention " + mentioned + ": " + run.err());
        assertEquals(2, run.err().lines().count(), "one line and a hint, not the whole usage: " + run.err());
        assertTrue(run.err().contains("token --help"), run.err());
    }
}
