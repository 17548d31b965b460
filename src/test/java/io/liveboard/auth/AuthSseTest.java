package io.liveboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.SseClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Server-Sent Events with {@code --auth token}: a stream opens with a good token sent any of three ways, else 401. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthSseTest extends AuthServerTest {

    @ParameterizedTest
    @EnumSource(Caller.Via.class)
    void eachWayOfSendingTheTokenOpensTheStreamAsThatUser(Caller.Via via) {
        String userId = "sse-" + via.name().toLowerCase();
        String token = Tokens.issue(userId, "Stream " + via, List.of("board-2"));
        String board = "/boards/board-2/events";
        try (SseClient one = SseClient.open(server, via.path(board, token), via.headers(token));
                SseClient several = SseClient.open(server, via.path("/events?boards=board-2", token), via.headers(token))) {
            for (SseClient sse : List.of(one, several)) {
                assertEquals(200, sse.status());
                JsonNode connected = sse.await(e -> "message".equals(e.event()) && e.data() != null).json();
                assertEquals("connected", connected.path("type").asText(), connected.toString());
            }
            Await.until(userId + " present on board-2", () -> admin.presentUserIds("board-2").contains(userId));

            JsonNode task = admin.createTask("list-2-todo", "Streamed " + via);
            for (SseClient sse : List.of(one, several)) {
                assertEquals(task, sse.awaitEvent("task_created").json().path("task"));
            }
        }
        Await.until(userId + " gone from board-2", () -> !admin.presentUserIds("board-2").contains(userId));
    }

    @Test
    void aStreamWithoutATokenIs401AndOpensNothing() {
        int before = admin.connections().path("sse").asInt();
        assertError(401, "Unauthorized", Caller.anonymous(server).stream("/boards/board-1/events"));
        assertError(401, "Unauthorized", Caller.anonymous(server).stream("/events?boards=board-1"));
        assertEquals(before, admin.connections().path("sse").asInt());
    }

    /** Each refused token, each way of sending it, on both stream routes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.liveboard.auth.Tokens#bad")
    void aStreamWithARefusedTokenIs401(Tokens.BadToken bad) {
        for (Caller.Via via : Caller.Via.values()) {
            Caller caller = new Caller(server, bad.token(), via);
            assertError(401, bad.error(), caller.stream("/boards/board-1/events"));
            assertError(401, bad.error(), caller.stream("/events?boards=board-1,board-2"));
        }
    }
}
