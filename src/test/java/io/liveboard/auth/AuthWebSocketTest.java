package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSocket with {@code --auth token}: a token on the upgrade (each of three ways) or a first {@code auth}
 * message within 5 s; anything else is an {@code Unauthorized} error and close 4001.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthWebSocketTest extends AuthServerTest {

    private static final int UNAUTHORIZED = 4001;

    @ParameterizedTest
    @EnumSource(Caller.Via.class)
    void aTokenOnTheUpgradeNamesTheUserInConnected(Caller.Via via) {
        String userId = "ws-" + via.name().toLowerCase();
        String token = Tokens.issue(userId, "Upgrade " + via, List.of("board-1"));
        try (WsClient ws = WsClient.connect(server, via.path("/ws", token), via.headers(token))) {
            JsonNode connected = ws.drain().get(0);
            assertEquals("connected", connected.path("type").asText(), connected.toString());
            assertEquals(user(userId, "Upgrade " + via), connected.path("user"), connected.toString());

            ws.join("board-1");
            JsonNode presence = ws.awaitType("presence");
            assertTrue(presence.path("users").toString().contains(user(userId, "Upgrade " + via).toString()),
                    presence.toString());
            assertTrue(admin.presentUserIds("board-1").contains(userId));
        }
    }

    @Test
    void withoutATokenTheFirstMessageAuthenticates() {
        try (WsClient ws = WsClient.connect(server, "/ws", Map.of())) {
            JsonNode connected = ws.drain().get(0);
            assertFalse(connected.has("user"), "no user before auth: " + connected);

            ws.send(auth(Tokens.issue("late-lucy", "Lucy", List.of("board-1"))));
            assertEquals(Json.MAPPER.createObjectNode().put("type", "authenticated").set("user", user("late-lucy", "Lucy")),
                    ws.await(m -> true));

            ws.join("board-1");
            assertTrue(admin.presentUserIds("board-1").contains("late-lucy"));
            JsonNode ack = sendAndAwait(ws, "{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"By Lucy\",\"ref\":1}");
            assertEquals("ack", ack.path("type").asText(), ack.toString());
        }
    }

    @Test
    void aSocketThatNeverAuthenticatesIsClosedAfterFiveSecondsAndOneThatDidStaysOpen() {
        long start = System.nanoTime();
        try (WsClient silent = WsClient.connect(server, "/ws", Map.of());
                WsClient authed = WsClient.connect(server, "/ws", Map.of())) {
            authed.send(auth(Tokens.issue("quick-quentin", "Quentin", List.of("board-1"))));
            authed.awaitType("authenticated");

            int code = silent.awaitClose();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(UNAUTHORIZED, code);
            assertEquals("Unauthorized", silent.closeReason());
            assertTrue(elapsedMs >= 4_500, "closed after only " + elapsedMs + " ms");
            List<JsonNode> got = silent.drain();
            assertEquals(List.of("connected"), List.of(got.get(0).path("type").asText()));
            assertEquals(List.of(error("Unauthorized")), got.subList(1, got.size()));

            // the authenticated socket's window ran out at the same time: it must still be open and answer
            authed.send("{\"type\":\"ping\"}");
            authed.awaitType("pong");
            assertTrue(authed.isOpen());
        }
    }

    /** First messages that are not {@code auth}, or an {@code auth} without a usable token. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"join\",\"boardId\":\"board-1\"}",
        "{\"type\":\"ping\"}",
        "{\"type\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"Unauthenticated\",\"ref\":7}",
        "{\"type\":\"authenticate\",\"token\":\"x\"}",
        "{\"type\":\"auth\"}",
        "{\"type\":\"auth\",\"token\":\"\"}",
        "{\"type\":\"auth\",\"token\":123}",
        "{\"token\":\"x\"}",
        "[\"auth\"]",
        "not json"})
    void anyOtherFirstMessageIsUnauthorizedAndClosed4001(String first) {
        JsonNode before = admin.board("board-1");
        try (WsClient ws = WsClient.connect(server, "/ws", Map.of())) {
            ws.send(first);
            assertEquals(error("Unauthorized"), ws.await(m -> true));
            assertClosedUnauthorized(ws, "Unauthorized", Duration.ofSeconds(4));
        }
        assertEquals(before, admin.board("board-1"), "an unauthenticated message changed board-1");
    }

    /** Each refused token in the first {@code auth} message. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.liveboard.auth.Tokens#bad")
    void aRefusedTokenInTheAuthMessageIsAnErrorThenClose4001(Tokens.BadToken bad) {
        try (WsClient ws = WsClient.connect(server, "/ws", Map.of())) {
            ws.send(auth(bad.token()));
            assertEquals(error(bad.error()), ws.await(m -> true));
            assertClosedUnauthorized(ws, bad.error(), Duration.ofSeconds(4));
        }
    }

    /** Each refused token on the upgrade, each of the three ways: an error frame instead of connected, then 4001. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.liveboard.auth.Tokens#bad")
    void aRefusedTokenOnTheUpgradeIsAnErrorFrameThenClose4001(Tokens.BadToken bad) {
        for (Caller.Via via : Caller.Via.values()) {
            try (WsClient ws = WsClient.open(server, via.path("/ws", bad.token()), via.headers(bad.token()))) {
                assertEquals(error(bad.error()), ws.await(m -> true), via.toString());
                assertClosedUnauthorized(ws, bad.error(), Duration.ofSeconds(4));
                assertEquals(1, ws.drain().size(), via + ": " + ws.drain());
            }
        }
    }

    private static void assertClosedUnauthorized(WsClient ws, String reason, Duration atMost) {
        long start = System.nanoTime();
        assertEquals(UNAUTHORIZED, ws.awaitClose());
        assertEquals(reason, ws.closeReason());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < atMost.toMillis(), "closed only after " + ms + " ms: not at once");
    }

    private static JsonNode sendAndAwait(WsClient ws, String message) {
        ws.send(message);
        return ws.await(m -> m.has("ref") || m.has("error"));
    }

    static String auth(String token) {
        return Json.write(Map.of("type", "auth", "token", token));
    }

    static JsonNode user(String userId, String name) {
        return Json.MAPPER.createObjectNode().put("userId", userId).put("name", name);
    }
}
