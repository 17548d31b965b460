package io.liveboard.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LongPollsTest {

    private final LongPolls polls = new LongPolls();

    @Test
    void onlyAnEventAfterTheReadWakesTheWaiter() {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
        polls.wake("board-1", 7); // committed before the read, delivered late by the fan-out
        waiter.since(7);
        assertFalse(waiter.done().isDone());
        polls.wake("board-2", 9);
        assertFalse(waiter.done().isDone());

        polls.wake("board-1", 8);
        assertTrue(waiter.done().isDone());
        assertEquals(0, polls.waiting("board-1"));
    }

    @Test
    void anEventSeenBetweenRegisteringAndReadingCountsIfItIsNewer() {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
        polls.wake("board-1", 4);
        waiter.since(3);
        assertTrue(waiter.done().isDone());
    }

    @Test
    void aWaiterNobodyWakesTimesOutAndIsForgotten() throws InterruptedException {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofMillis(50));
        waiter.since(0);
        try {
            waiter.done().get(5, TimeUnit.SECONDS);
            throw new AssertionError("completed without an event");
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof TimeoutException, e.toString());
        } catch (TimeoutException e) {
            throw new AssertionError("did not time out", e);
        }
        assertEquals(0, polls.waiting("board-1"));
    }
}
