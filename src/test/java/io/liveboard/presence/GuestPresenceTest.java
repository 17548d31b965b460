package io.liveboard.presence;

import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.ServerTest;
import io.liveboard.support.SseClient;
import io.liveboard.support.WsClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence with auth off: every socket and stream is its own guest, {@code guest-<first 8 chars of its id>}
 * named {@code Guest <same 8>}, and that user is the same in every message about it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuestPresenceTest extends ServerTest {

    @AfterEach
    void everyConnectionGone() {
        Await.value("open connections after the test (websocket/sse)", "0/0", () -> {
            JsonNode connections = http.connections();
            return connections.path("websocket").asInt() + "/" + connections.path("sse").asInt();
        });
    }

    @Test
    void aGuestIsTheSameUserInEveryMessageAboutIt() {
        String board = http.newBoard("Guests");
        try (WsClient first = WsClient.connect(server); WsClient second = WsClient.connect(server)) {
            JsonNode guest1 = guest(first);
            JsonNode guest2 = guest(second);
            assertNotEquals(guest1, guest2);
            assertEquals(object("type", "connected", "socketId", first.socketId()), first.drain().get(0));

            first.join(board);
            assertEquals(object("type", "presence", "boardId", board, "users", List.of(guest1)), first.awaitType("presence"));
            second.join(board);
            assertEquals(object("type", "presence", "boardId", board, "users", List.of(guest1, guest2)),
                    second.awaitType("presence"));
            assertEquals(object("type", "user_joined", "boardId", board, "viewers", 2, "user", guest2),
                    first.awaitType("user_joined"));
            assertEquals(object("boardId", board, "users", List.of(guest1, guest2)),
                    http.get("/boards/" + board + "/presence").json());

            first.send("{\"type\":\"typing\",\"boardId\":\"" + board + "\"}");
            assertEquals(object("type", "user_typing", "boardId", board, "user", guest1, "typing", true),
                    second.awaitType("user_typing"));
            first.send("{\"type\":\"stop_typing\",\"boardId\":\"" + board + "\"}");
            assertEquals(object("type", "user_typing", "boardId", board, "user", guest1, "typing", false),
                    second.awaitType("user_typing"));

            first.send("{\"type\":\"leave\",\"boardId\":\"" + board + "\"}");
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 1, "user", guest1),
                    second.awaitType("user_left"));
            assertEquals(object("boardId", board, "users", List.of(guest2)),
                    http.get("/boards/" + board + "/presence").json());

            // back again: the same guest as before, now after the other one
            first.join(board);
            assertEquals(object("type", "presence", "boardId", board, "users", List.of(guest2, guest1)),
                    first.awaitType("presence"));
            assertEquals(object("type", "user_joined", "boardId", board, "viewers", 2, "user", guest1),
                    second.awaitType("user_joined"));

            second.close();
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 1, "user", guest2),
                    first.awaitType("user_left"));
            assertEquals(object("boardId", board, "users", List.of(guest1)),
                    http.get("/boards/" + board + "/presence").json());
        }
    }

    @Test
    void twoGuestSocketsFromOneAddressAreTwoUsersAndAGuestStreamIsAThird() {
        String board = http.newBoard("Guest stream");
        try (WsClient first = WsClient.connect(server); WsClient second = WsClient.connect(server)) {
            first.join(board);
            second.join(board);
            JsonNode joined = first.awaitType("user_joined");
            assertEquals(guest(second), joined.path("user"));

            SseClient stream = SseClient.open(server, "/boards/" + board + "/events");
            JsonNode streamGuest;
            try {
                streamGuest = first.awaitType("user_joined").path("user");
                String tag = streamGuest.path("userId").asText().replaceFirst("^guest-", "");
                assertTrue(tag.matches("[0-9a-zA-Z-]{8}"), "stream guest " + streamGuest);
                assertEquals(object("userId", "guest-" + tag, "name", "Guest " + tag), streamGuest);
                assertEquals(object("type", "user_joined", "boardId", board, "viewers", 2, "user", streamGuest),
                        second.awaitType("user_joined"));
                assertEquals(object("boardId", board, "users", List.of(guest(first), guest(second), streamGuest)),
                        http.get("/boards/" + board + "/presence").json());
            } finally {
                stream.close();
            }
            assertEquals(object("type", "user_left", "boardId", board, "viewers", 2, "user", streamGuest),
                    first.awaitType("user_left"));
            assertEquals(object("boardId", board, "users", List.of(guest(first), guest(second))),
                    http.get("/boards/" + board + "/presence").json());
        }
    }

    /** The guest user of a socket: {@code guest-} and the first 8 characters of its socketId. */
    private static JsonNode guest(WsClient client) {
        String tag = client.socketId().substring(0, 8);
        return object("userId", "guest-" + tag, "name", "Guest " + tag);
    }
}
