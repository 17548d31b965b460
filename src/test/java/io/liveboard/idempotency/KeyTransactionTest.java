package io.liveboard.idempotency;

import static io.liveboard.idempotency.Keys.REPLAYED;
import static io.liveboard.idempotency.Keys.keyed;
import static io.liveboard.idempotency.Keys.rows;
import static io.liveboard.idempotency.Keys.titles;
import static io.liveboard.support.JsonFields.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.BoardStore;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.Outcome;
import io.liveboard.board.StoreException;
import io.liveboard.board.Task;
import io.liveboard.config.Config;
import io.liveboard.json.Json;
import io.liveboard.support.ForwardingBoardStore;
import io.liveboard.support.Http;
import io.liveboard.support.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A change's result is kept under its key in the change's own transaction: when that transaction fails after both
 * were written, neither is kept, so the client's retry applies the change (once) instead of replaying a result
 * that does not exist, or finding a change without its key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyTransactionTest {

    private static final String KEY = "key-of-a-failed-transaction";

    @Test
    void aTransactionThatFailsAfterTheChangeAndItsKeyKeepsNeither() {
        Config config = TestServer.fastConfig();
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicBoolean keyWasWritten = new AtomicBoolean();
        try (TestServer server = TestServer.start(config, real -> new FailingOnce(real, armed, keyWasWritten))) {
            Http http = new Http(server);
            String body = Json.write(Map.of("listId", "list-todo", "title", "Doomed once"));
            Http.Reply failed = keyed(http, "POST", "/tasks", body, KEY);
            assertEquals(503, failed.status(), failed.body());
            assertEquals(object("error", "Storage is unavailable, try again"), failed.json());
            assertTrue(keyWasWritten.get(), "the key was written in the transaction before it failed");
            assertEquals(List.of(), titles(http, "board-1"));
            assertEquals(0, rows(TestServer.sqliteFile(config), KEY));

            Http.Reply retried = keyed(http, "POST", "/tasks", body, KEY);
            assertEquals(201, retried.status(), retried.body());
            assertNull(retried.header(REPLAYED), "nothing was kept to replay: the retry applies");
            assertEquals("true", keyed(http, "POST", "/tasks", body, KEY).header(REPLAYED));
            assertEquals(List.of("Doomed once"), titles(http, "board-1"));
            assertEquals(1, rows(TestServer.sqliteFile(config), KEY));
        }
    }

    /** The real store, except that the first keyed task creation fails once its work (change and key) is done. */
    private static final class FailingOnce extends ForwardingBoardStore {

        private final AtomicBoolean armed;
        private final AtomicBoolean keyWasWritten;

        FailingOnce(BoardStore real, AtomicBoolean armed, AtomicBoolean keyWasWritten) {
            super(real);
            this.armed = armed;
            this.keyWasWritten = keyWasWritten;
        }

        @Override
        public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
            return real.write(tx -> {
                T result = work.run(tx);
                if (result instanceof Outcome<?> outcome && !outcome.replayed()
                        && outcome.change().value() instanceof Task && armed.compareAndSet(true, false)) {
                    keyWasWritten.set(tx.commandResult(new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, KEY, "test"))
                            .isPresent());
                    throw new StoreException("test: the transaction fails after the change and its key", null);
                }
                return result;
            }, afterCommit);
        }
    }
}
