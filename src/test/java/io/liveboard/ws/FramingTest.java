package io.liveboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import io.liveboard.support.RawWebSocket;
import io.liveboard.support.ServerTest;
import io.liveboard.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages go out as frames the server encodes once for every socket: a message over 64 KiB (here a resync
 * of a board with long descriptions, about 300 KB) is split into a text frame and continuation frames of at
 * most 65,535 bytes each, which a client puts back together into the one message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramingTest extends ServerTest {

    private static final int TASKS = 30;
    private static String board;

    @BeforeAll
    static void aBoardOfLongDescriptions() {
        board = http.newBoard("Long descriptions");
        String list = http.firstListOf(board);
        String description = "d".repeat(9_500);
        for (int i = 0; i < TASKS; i++) {
            http.post("/tasks", "{\"listId\":\"" + list + "\",\"title\":\"t" + i + "\",\"description\":\"" + description
                    + "\"}");
        }
    }

    private static String resyncJoin() {
        // a cursor from another database: the answer is the whole board
        return "{\"type\":\"join\",\"boardId\":\"" + board + "\",\"since\":0,\"epoch\":\"00000000\"}";
    }

    @Test
    void aLargeMessageComesAsFramesOfAtMost64KiBThatMakeOneMessage() throws Exception {
        try (RawWebSocket socket = RawWebSocket.connect(server)) {
            assertEquals("connected", socket.next().path("type").asText());
            socket.sendAll(List.of(resyncJoin()));
            assertEquals("joined", socket.next().path("type").asText());
            assertEquals("presence", socket.next().path("type").asText());

            ByteArrayOutputStream message = new ByteArrayOutputStream();
            RawWebSocket.Frame frame = socket.nextFrame();
            assertEquals(1, frame.opcode(), "a message starts with a text frame");
            int frames = 1;
            while (true) {
                assertTrue(frame.payload().length <= 0xFFFF, "frame of " + frame.payload().length + " bytes");
                message.writeBytes(frame.payload());
                if (frame.fin()) {
                    break;
                }
                frame = socket.nextFrame();
                assertEquals(0, frame.opcode(), "the rest of a message comes in continuation frames");
                frames++;
            }
            assertTrue(message.size() > 4 * 0xFFFF, message.size() + " bytes");
            assertEquals((message.size() + 0xFFFF - 1) / 0xFFFF, frames);
            JsonNode resync = Json.parse(new String(message.toByteArray(), StandardCharsets.UTF_8));
            assertResyncOfEveryTask(resync);
            assertEquals("pong", socket.ping().path("type").asText(), "the socket goes on after it");
        }
    }

    @Test
    void aClientLibraryGetsTheLargeMessageWhole() {
        try (WsClient client = WsClient.connect(server)) {
            client.send(resyncJoin());
            assertResyncOfEveryTask(client.awaitType("resync"));
        }
    }

    private static void assertResyncOfEveryTask(JsonNode resync) {
        assertEquals("resync", resync.path("type").asText());
        int tasks = 0;
        for (JsonNode list : resync.path("board").path("lists")) {
            tasks += list.path("tasks").size();
        }
        assertEquals(TASKS, tasks);
        assertFalse(resync.path("board").path("lists").isEmpty());
    }
}
