package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence and typing between two browsers through the JS client (with tokens, so that the users have names):
 * Alice and Bob on WebSockets see each other arrive and leave and Bob sees Alice type; Carol on SSE (no presence
 * messages there: the client reads presence now and then) and the WebSocket users see each other too; in a crowd
 * the client reads the list again when told the counts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientPresenceTest {

    private static final String SECRET = "liveboard-client-presence-test-secret-0123456789";
    private static TestServer server;

    @BeforeAll
    static void start() {
        Chromium.assumeAvailable();
        server = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN).jwtSecret(SECRET).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoBrowsersSeeEachOtherAndTyping() {
        try (ClientPage alice = open("alice", "Alice", "websocket"); ClientPage bob = open("bob", "Bob", "websocket")) {
            Await.value("Alice's list", List.of("alice", "bob"), () -> users(alice));
            Await.value("Bob's list", List.of("alice", "bob"), () -> users(bob));
            assertEquals(2, bob.run("return board.presence.total;").asInt());

            alice.run("board.typing(true);");
            Await.until("Bob sees Alice typing", () -> typing(bob).contains("alice:true"));
            alice.run("board.typing(false);");
            Await.until("Bob sees Alice stop", () -> typing(bob).contains("alice:false"));
            assertEquals(List.of("alice:true", "alice:false"), typing(bob));
            assertEquals(List.of(), typing(alice), "no echo of one's own typing");

            try (ClientPage carol = open("carol", "Carol", "sse")) {
                Await.value("Carol (SSE) reads who is there", List.of("alice", "bob", "carol"), () -> users(carol));
                Await.value("Alice sees Carol arrive", List.of("alice", "bob", "carol"), () -> users(alice));
                carol.run("board.typing(true);"); // a no-op without a WebSocket
            }
            Await.value("Alice sees Carol leave", List.of("alice", "bob"), () -> users(alice));
            bob.run("client.close();");
            Await.value("Alice sees Bob leave", List.of("alice"), () -> users(alice));
            assertEquals(List.of(), typing(alice), "Carol's typing went nowhere");
        }
    }

    /**
     * In a crowd (here more than one WebSocket session) arrivals come as counts only ({@code presence_changed}):
     * the client reads the list again.
     */
    @Test
    void inACrowdTheListIsReadAgain() {
        try (TestServer crowd = TestServer.start(TestServer.fastConfig().toBuilder().auth(AuthMode.TOKEN)
                .jwtSecret(SECRET).crowd(1).build());
                ClientPage alice = open(crowd, "alice", "Alice", "websocket");
                ClientPage bob = open(crowd, "bob", "Bob", "websocket")) {
            Await.value("Alice's list, read again after the count", List.of("alice", "bob"), () -> users(alice));
            Await.value("Bob's list", List.of("alice", "bob"), () -> users(bob));
            assertEquals(2, alice.run("return board.presence.total;").asInt());
        }
    }

    private static ClientPage open(String sub, String name, String transport) {
        return open(server, sub, name, transport);
    }

    private static ClientPage open(TestServer server, String sub, String name, String transport) {
        String token = new JwtTokens(SECRET, Clock.systemUTC()).issue(sub, name, List.of("board-1"), Duration.ofHours(1));
        ClientPage page = ClientPage.open(server.http(""));
        page.follow(ClientPage.FAST + ", transports: ['" + transport + "'], token: " + Json.write(token), "board-1");
        page.awaitLive(transport);
        return page;
    }

    private static List<String> users(ClientPage page) {
        List<String> ids = new ArrayList<>();
        JsonNode presence = page.run("return board.presence;");
        presence.path("users").forEach(user -> ids.add(user.path("userId").asText()));
        ids.sort(null);
        return ids;
    }

    private static List<String> typing(ClientPage page) {
        List<String> typing = new ArrayList<>();
        page.log("typing").forEach(t -> typing.add(t.path("user").path("userId").asText() + ":" + t.path("typing").asBoolean()));
        return typing;
    }
}
