package io.liveboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Await;
import io.liveboard.support.BoardEvents;
import io.liveboard.support.ServerTest;
import io.liveboard.support.Writers;
import io.liveboard.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, item 9: everything one socket receives about a board arrives in {@code seq} order, its own acks included: the
 * {@code ack} (seq n) of its command comes before any event n+1 of the board, even while other writers commit
 * n+1 right after n. Socket A creates tasks on board-1 while four REST writers and socket B do the same; A
 * records the seq of every ack and every event of board-1 it gets, which must run from its join's seq + 1 to
 * the board's last seq, each once, in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AckOrderTest extends ServerTest {

    private static final String BOARD = "board-1";
    private static final String LIST = "list-todo";
    private static final int ROUNDS = 3;
    private static final int COMMANDS = 300;
    private static final Set<String> EVENTS = Set.of("ack", "task_created", "task_updated", "task_moved",
            "task_deleted", "list_created");

    @Test
    void acksAndEventsReachTheSocketInSeqOrderWithoutGaps() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            round(round);
        }
    }

    private static void round(int round) throws Exception {
        try (WsClient a = WsClient.connect(server); WsClient b = WsClient.connect(server);
                Writers writers = new Writers(http, LIST)) {
            long joinedAt = a.join(BOARD).path("seq").asLong();
            writers.start();
            writers.awaitMore(20);
            for (int i = 0; i < COMMANDS; i++) {
                a.send(create("A", round, i));
                b.send(create("B", round, i));
            }
            for (int i = 0; i < COMMANDS; i++) {
                assertEquals(ref("A", round, i), a.awaitType("ack").path("ref").asText(), "A's ack " + i);
                assertEquals(ref("B", round, i), b.awaitType("ack").path("ref").asText(), "B's ack " + i);
            }
            int restCreated = writers.stop();
            long last = BoardEvents.seqOf(http, BOARD);
            Await.until("A has every event of " + BOARD + " up to " + last, Duration.ofSeconds(30),
                    () -> seqs(a).size() >= last - joinedAt || seqs(a).contains(last));

            List<Long> seqs = seqs(a);
            List<Long> expected = LongStream.rangeClosed(joinedAt + 1, last).boxed().toList();
            if (!expected.equals(seqs)) {
                int at = 0;
                while (at < Math.min(seqs.size(), expected.size()) && seqs.get(at).equals(expected.get(at))) {
                    at++;
                }
                List<String> around = new ArrayList<>();
                List<JsonNode> received = boardMessages(a);
                for (int i = Math.max(0, at - 3); i < Math.min(received.size(), at + 4); i++) {
                    around.add(received.get(i).path("type").asText() + " " + received.get(i).path("seq").asLong());
                }
                throw new AssertionError(String.format("round %d: socket A got %d acks and events of %s, seqs %d..%d "
                        + "expected in order; the first out of place is #%d (expected %s): %s (%d REST creates, joined at "
                        + "%d)", round, seqs.size(), BOARD, joinedAt + 1, last, at,
                        at < expected.size() ? expected.get(at) : "nothing more", around, restCreated, joinedAt));
            }
            System.out.printf("round %d: A got seqs %d..%d in order (%d acks of its own, %d REST creates)%n", round,
                    joinedAt + 1, last, COMMANDS, restCreated);
        }
    }

    private static String create(String socket, int round, int i) {
        return "{\"type\":\"create_task\",\"listId\":\"" + LIST + "\",\"title\":\"" + ref(socket, round, i)
                + "\",\"ref\":\"" + ref(socket, round, i) + "\"}";
    }

    private static String ref(String socket, int round, int i) {
        return socket + " " + round + "." + i;
    }

    /** The acks and events of the board the socket received so far, in order. */
    private static List<JsonNode> boardMessages(WsClient client) {
        return client.drain().stream().filter(m -> EVENTS.contains(m.path("type").asText())
                && BOARD.equals(m.path("boardId").asText())).toList();
    }

    private static List<Long> seqs(WsClient client) {
        return boardMessages(client).stream().map(m -> m.path("seq").asLong()).toList();
    }
}
