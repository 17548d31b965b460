package io.liveboard.sse;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, item 16: an SSE stream the server ends says why before it ends, with an event {@code disconnect} whose data is
 * {@code {"type":"disconnect","code":4001,"reason":"Token expired"}} at the token's expiry, and
 * {@code {"type":"disconnect","code":1001,"reason":"server shutting down"}} when the server stops (the codes
 * and reasons a WebSocket gets in its close frame).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseDisconnectTest {

    private static final String SECRET = "liveboard-sse-disconnect-test-secret-0123456789";

    @Test
    void aStreamWhoseTokenExpiresGetsADisconnectEventThenEnds() throws Exception {
        try (TestServer server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build())) {
            // exp is in whole seconds: a ttl of 3 s leaves 2 to 3 s
            String token = new JwtTokens(SECRET, Clock.systemUTC()).issue("erin", "Erin", List.of("board-1"),
                    Duration.ofSeconds(3));
            Instant exp = JWT.decode(token).getExpiresAtAsInstant();
            try (SseClient stream = SseClient.open(server, "/boards/board-1/events",
                    Map.of("Authorization", "Bearer " + token))) {
                assertEquals(200, stream.status());
                stream.await(e -> e.data() != null && e.data().contains("\"connected\""));
                assertTrue(Instant.now().isBefore(exp), "the machine was too slow: exp passed before the stream opened");

                SseClient.Event disconnect = stream.await(e -> !":comment".equals(e.event()), Duration.ofSeconds(10));
                assertEquals("disconnect", disconnect.event(), "the next event after connected: " + disconnect);
                assertEquals(object("type", "disconnect", "code", 4001, "reason", "Token expired"), disconnect.json());
                stream.awaitEnd(Duration.ofSeconds(5));
                assertTrue(!Instant.now().plusMillis(100).isBefore(exp), "disconnected before exp " + exp);
            }
        }
    }

    @Test
    void anOpenStreamGetsADisconnectEventWhenTheServerStops() throws Exception {
        TestServer server = TestServer.start(TestServer.fastConfig());
        try (SseClient stream = SseClient.open(server, "/boards/board-1/events")) {
            assertEquals(200, stream.status());
            stream.await(e -> e.data() != null && e.data().contains("\"connected\""));

            server.stop();
            SseClient.Event disconnect = stream.await(e -> !":comment".equals(e.event()), Duration.ofSeconds(10));
            assertEquals("disconnect", disconnect.event(), "the next event after connected: " + disconnect);
            assertEquals(object("type", "disconnect", "code", 1001, "reason", "server shutting down"), disconnect.json());
            stream.awaitEnd(Duration.ofSeconds(5));
        } finally {
            server.close();
        }
    }
}
