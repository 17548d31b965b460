package io.liveboard.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.support.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, item 5, the worker on its own: a handler that throws an {@link Error} kills the worker, visibly. It
 * logs at ERROR (naming the worker), hands what it held and what was queued to its death callback (the items
 * never handled, in order), refuses later work ({@code add} throws {@link IllegalStateException}) and reports
 * {@code alive() == false}. A {@link RuntimeException} is logged and the worker goes on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchWorkerTest {

    private final List<BatchWorker<?>> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(BatchWorker::stop);
    }

    private <T> BatchWorker<T> worker(String name, int maxBatch, Consumer<List<T>> handler, Consumer<List<T>> onDeath) {
        BatchWorker<T> worker = new BatchWorker<>(name, maxBatch, handler, onDeath);
        workers.add(worker);
        return worker;
    }

    @Test
    void anErrorKillsTheWorkerWhichHandsOverWhatItHeldAndWhatWasQueuedAndRefusesMore() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> handled = new CopyOnWriteArrayList<>();
        List<List<Integer>> handedOver = new CopyOnWriteArrayList<>();
        CountDownLatch died = new CountDownLatch(1);
        String name = "batch-test-dying-worker";

        try (StandardError log = new StandardError()) {
            BatchWorker<Integer> worker = worker(name, 2, batch -> {
                handled.add(List.copyOf(batch));
                if (batch.contains(1)) {
                    inHandler.countDown();
                    await(release);
                    throw new Error("test: the handler dies");
                }
            }, left -> {
                handedOver.add(List.copyOf(left));
                died.countDown();
            });
            assertTrue(worker.alive());
            worker.add(1);
            await(inHandler);
            // queued behind the batch in hand: more than one batch's worth
            for (int i = 2; i <= 6; i++) {
                worker.add(i);
            }
            release.countDown();

            assertTrue(died.await(5, TimeUnit.SECONDS), "the death callback was not called");
            Await.until("the worker reports it is dead", Duration.ofSeconds(5), () -> !worker.alive());
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> worker.add(7));
            System.out.println("add on a dead worker: " + refused.getMessage());
            assertFalse(worker.alive());
            log.awaitLine("ERROR", name);
        }

        // the batch in hand [1] was the last one handled; it and everything queued went to the death callback,
        // in order, and nothing else did (the refused 7 was the caller's to handle)
        assertEquals(List.of(List.of(1)), handled);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), flatten(handedOver));
    }

    @Test
    void aRuntimeExceptionIsLoggedAndTheWorkerGoesOn() throws Exception {
        List<List<String>> handled = new CopyOnWriteArrayList<>();
        List<List<String>> handedOver = new CopyOnWriteArrayList<>();
        CountDownLatch second = new CountDownLatch(1);
        BatchWorker<String> worker = worker("batch-test-surviving-worker", 10, batch -> {
            handled.add(List.copyOf(batch));
            if (batch.contains("bad")) {
                throw new IllegalStateException("test: a refused batch");
            }
            if (batch.contains("good")) {
                second.countDown();
            }
        }, handedOver::add);

        worker.add("bad");
        Await.until("the bad batch was handled", () -> !handled.isEmpty());
        worker.add("good");
        assertTrue(second.await(5, TimeUnit.SECONDS), "the worker did not handle the batch after the failure");
        assertTrue(worker.alive());
        worker.add("more");
        Await.until("the next batch was handled too", () -> flatten(handled).contains("more"));
        assertTrue(worker.alive());
        assertEquals(List.of(), handedOver);
        assertEquals(List.of("bad", "good", "more"), flatten(handled));
    }

    /**
     * Items added from another thread while the worker dies: each is either handled, handed to the death
     * callback, or refused to its caller; none is lost and none counted twice.
     */
    @Test
    void nothingAddedWhileTheWorkerDiesIsLost() throws Exception {
        List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
        List<Integer> handedOver = Collections.synchronizedList(new ArrayList<>());
        List<Integer> refused = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch died = new CountDownLatch(1);
        AtomicBoolean handedOverTwice = new AtomicBoolean();
        int total = 20_000;
        int fatal = 5_000;

        try (StandardError log = new StandardError()) {
            BatchWorker<Integer> worker = worker("batch-test-racing-worker", 16, batch -> {
                if (batch.contains(fatal)) {
                    throw new StackOverflowError("test: the handler dies");
                }
                handled.addAll(batch);
            }, left -> {
                if (died.getCount() == 0) {
                    handedOverTwice.set(true);
                }
                handedOver.addAll(left);
                died.countDown();
            });
            Thread producer = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    try {
                        worker.add(i);
                    } catch (IllegalStateException e) {
                        refused.add(i);
                    }
                }
            }, "batch-test-producer");
            producer.start();
            producer.join(10_000);
            assertTrue(died.await(5, TimeUnit.SECONDS), "the death callback was not called");
            assertFalse(worker.alive());
            log.awaitLine("ERROR", "batch-test-racing-worker");
        }

        List<Integer> all = new ArrayList<>();
        all.addAll(handled);
        all.addAll(handedOver);
        all.addAll(refused);
        Collections.sort(all);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(i);
        }
        assertEquals(expected, all, handled.size() + " handled, " + handedOver.size() + " handed over, "
                + refused.size() + " refused");
        assertTrue(handedOver.contains(fatal), "the batch in hand was not handed over");
        assertFalse(handled.contains(fatal));
        assertFalse(handedOverTwice.get(), "the death callback was called more than once");
    }

    private static <T> List<T> flatten(List<List<T>> lists) {
        List<T> all = new ArrayList<>();
        lists.forEach(all::addAll);
        return all;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Standard error captured (slf4j-simple logs there) until closed, then written out as well. */
    private static final class StandardError implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

        StandardError() {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        }

        String text() {
            synchronized (captured) {
                return captured.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until a line holds every one of the words. */
        void awaitLine(String... words) {
            Await.until("a line with " + List.of(words) + " on standard error", Duration.ofSeconds(5),
                    () -> text().lines().anyMatch(line -> List.of(words).stream().allMatch(line::contains)));
        }

        @Override
        public void close() {
            System.setErr(original);
            original.print(text());
        }
    }
}
