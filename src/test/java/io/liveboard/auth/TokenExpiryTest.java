package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A token's {@code exp} ends what it opened: a socket authenticated on the upgrade or by an {@code auth}
 * message is closed 4001 "Token expired", an SSE stream ends; both worked until then.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenExpiryTest extends AuthServerTest {

    /** How early (clock reading, scheduling) a close may come before {@code exp} and still count as at it. */
    private static final Duration SLACK = Duration.ofMillis(100);

    @Test
    void atExpTheSocketsAreClosed4001AndTheStreamEnds() {
        String board = admin.newBoard("Expiring");
        String list = admin.firstListOf(board);
        // exp is in whole seconds: a ttl of 4 s leaves 3 to 4 s of life, enough to connect on a busy machine
        String token = Tokens.issue("erin", "Erin", List.of(board), Duration.ofSeconds(4));
        Instant exp = JWT.decode(token).getExpiresAtAsInstant();

        try (WsClient upgraded = WsClient.connect(server, "/ws", bearer(token));
                WsClient authed = WsClient.connect(server, "/ws", Map.of());
                SseClient stream = SseClient.open(server, "/boards/" + board + "/events", bearer(token));
                WsClient watcher = WsClient.connect(server, "/ws", bearer(admin.token()))) {
            authed.send(AuthWebSocketTest.auth(token));
            authed.awaitType("authenticated");
            upgraded.join(board);
            authed.join(board);
            watcher.join(board);
            assertEquals(200, stream.status());
            stream.await(e -> e.data() != null && e.data().contains("\"connected\""));

            // alive before exp: all three get a live event
            JsonNode task = admin.createTask(list, "Before exp");
            assertEquals(task, upgraded.awaitType("task_created").path("task"));
            assertEquals(task, authed.awaitType("task_created").path("task"));
            assertEquals(task, stream.awaitEvent("task_created").json().path("task"));
            assertTrue(Instant.now().isBefore(exp), "the machine was too slow: exp passed before the checks");

            assertEquals(4001, upgraded.awaitClose());
            Instant upgradedClosed = Instant.now();
            assertEquals("Token expired", upgraded.closeReason());
            assertEquals(4001, authed.awaitClose());
            assertEquals("Token expired", authed.closeReason());
            stream.awaitEnd(Duration.ofSeconds(10));
            Instant streamEnded = Instant.now();

            assertFalse(upgradedClosed.plus(SLACK).isBefore(exp), "socket closed at " + upgradedClosed + ", exp " + exp);
            assertFalse(streamEnded.plus(SLACK).isBefore(exp), "stream ended at " + streamEnded + ", exp " + exp);

            // the room saw them go; the others carry on
            Await.value("presence after exp", List.of("admin"), () -> admin.presentUserIds(board));
            watcher.send("{\"type\":\"ping\"}");
            watcher.awaitType("pong");
        }
    }
}
