package io.liveboard.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LongPollsTest {

    /** The tasks handed to the executor, run when the test says so. */
    private final List<Runnable> tasks = new ArrayList<>();
    private final LongPolls polls = new LongPolls(tasks::add);

    /** Events {@code from}..{@code to} of a board, as one fan-out round hands them on. */
    static List<OutboundMessage> events(String boardId, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(seq -> new OutboundMessage("task_deleted", boardId, seq,
                "{\"type\":\"task_deleted\",\"boardId\":\"" + boardId + "\",\"seq\":" + seq + ",\"taskId\":\"t\"}"))
                .toList();
    }

    private void runTasks() {
        List<Runnable> due = new ArrayList<>(tasks);
        tasks.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void onlyAnEventAfterTheReadWakesTheWaiter() throws Exception {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
        polls.wake("board-1", events("board-1", 7, 7)); // committed before the read, delivered late by the fan-out
        waiter.since(7);
        polls.wake("board-2", events("board-2", 9, 9));
        runTasks();
        assertFalse(waiter.done().isDone());

        polls.wake("board-1", events("board-1", 8, 9));
        assertFalse(waiter.done().isDone(), "completed on the fan-out thread");
        runTasks();
        assertEquals(9, waiter.done().get().seq());
        assertEquals(List.of(8L, 9L), waiter.done().get().after(7).stream().map(OutboundMessage::seq).toList());
        assertEquals(0, polls.waiting("board-1"));
    }

    @Test
    void anEventSeenBetweenRegisteringAndReadingCountsIfItIsNewer() throws Exception {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
        polls.wake("board-1", events("board-1", 3, 3));
        polls.wake("board-1", events("board-1", 4, 5));
        waiter.since(3);
        assertTrue(waiter.done().isDone(), "answered on the thread that said where it is");
        Wake wake = waiter.done().get();
        assertEquals(5, wake.seq());
        assertEquals(List.of(4L, 5L), wake.after(3).stream().map(OutboundMessage::seq).toList());
        assertEquals(List.of(), tasks);
    }

    @Test
    void aWaiterWokenOnceIsNotWokenAgain() throws Exception {
        LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
        waiter.since(2);
        polls.wake("board-1", events("board-1", 3, 3));
        polls.wake("board-1", events("board-1", 4, 4));
        assertEquals(1, tasks.size());
        runTasks();
        assertEquals(3, waiter.done().get().seq());
    }

    @Test
    void theWaitersARoundWakesShareItAndAreCompletedManyToATask() throws Exception {
        List<LongPolls.Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            LongPolls.Waiter waiter = polls.await("board-1", Duration.ofSeconds(5));
            waiter.since(i % 2 == 0 ? 4 : 5);
            waiters.add(waiter);
        }
        polls.wake("board-1", events("board-1", 5, 6));
        assertEquals((200 + LongPolls.PER_TASK - 1) / LongPolls.PER_TASK, tasks.size());
        runTasks();
        Wake wake = waiters.get(0).done().get();
        for (LongPolls.Waiter waiter : waiters) {
            assertSame(wake, waiter.done().get());
        }
        assertEquals(0, polls.waiting("board-1"));
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
