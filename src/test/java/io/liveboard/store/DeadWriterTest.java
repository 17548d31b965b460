package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.DemoData;
import io.liveboard.board.StoreException;
import io.liveboard.board.Task;
import io.liveboard.support.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write whose work throws an {@link Error} on the writer thread kills the writer. Its
 * caller gets a {@link StoreException} at once (not a wait forever), and so do the writes queued behind it
 * and every later write or read-after-writes; plain reads of what was committed still work, and
 * {@code healthy()} says false.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadWriterTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    private static Task task(String id) {
        Instant now = Instant.now();
        return new Task(id, "board-1", "list-todo", id, "", null, 0, now, now);
    }

    /** Commits a task (and its event) and returns the event's seq. */
    private static long create(SqliteBoardStore store, String id) {
        return store.write(tx -> {
            tx.insertTask(task(id));
            return tx.appendEvent("board-1", "task_created", id, Map.of("taskId", id), Instant.now(), null).seq();
        }, seq -> { });
    }

    private static Optional<Task> read(SqliteBoardStore store, String id) {
        return store.read(tx -> tx.task(id));
    }

    @Test
    void anErrorInAWriteFailsItsCallerAndEveryLaterWriteAtOnce() {
        try (SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("dead.db"))) {
            DemoData.seedIfEmpty(store, Instant.now());
            assertEquals(1L, create(store, "before"));
            assertTrue(store.healthy());

            StoreException failed = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(StoreException.class,
                    () -> store.write(tx -> {
                        throw new StackOverflowError("test: the work dies");
                    }, result -> { })), "the caller of the write that died");
            System.out.println("the dying write's caller got: " + failed);

            assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(StoreException.class, () -> create(store, "after")),
                    "a later write");
            assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(StoreException.class,
                    () -> store.readAfterWrites(tx -> tx.lastSeq("board-1"))), "a later read-after-writes");
            assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(StoreException.class, () -> create(store, "later")),
                    "a write after that");

            // what was committed is still there to read; nothing of the failed writes is
            assertEquals("before", read(store, "before").orElseThrow().title());
            assertEquals(Optional.empty(), read(store, "after"));
            assertEquals(Optional.empty(), read(store, "later"));
            assertEquals(1L, store.<Long>read(tx -> tx.lastSeq("board-1")));
            assertEquals(List.of("board-1", "board-2"), store.read(tx -> tx.boards().stream().map(b -> b.id()).toList()));
            assertFalse(store.healthy());
        }
    }

    @Test
    void theWritesQueuedBehindTheDeadOneFailAtOnceToo() throws Exception {
        try (SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("queued.db"))) {
            DemoData.seedIfEmpty(store, Instant.now());
            CountDownLatch inFirst = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the first write holds the writer thread while the others queue up behind it
            Future<Long> first = callers.submit(() -> store.write(tx -> {
                inFirst.countDown();
                awaitLatch(release);
                tx.insertTask(task("first"));
                return tx.appendEvent("board-1", "task_created", "first", Map.of("taskId", "first"), Instant.now(),
                        null).seq();
            }, seq -> { }));
            assertTrue(inFirst.await(10, TimeUnit.SECONDS));
            Future<Object> dying = queued(() -> store.write(tx -> {
                throw new OutOfMemoryError("test: the work dies");
            }, result -> { }));
            Future<Long> behind = queued(() -> create(store, "behind"));
            Future<Long> readBehind = queued(() -> store.readAfterWrites(tx -> tx.lastSeq("board-1")));
            release.countDown();

            assertEquals(1L, first.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS));
            assertFailsPromptly(dying, "the write that died");
            assertFailsPromptly(behind, "the write queued behind it");
            assertFailsPromptly(readBehind, "the read-after-writes queued behind it");
            assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(StoreException.class, () -> create(store, "after")),
                    "a later write");

            assertEquals("first", read(store, "first").orElseThrow().title());
            assertEquals(Optional.empty(), read(store, "behind"));
            assertEquals(1L, store.<Long>read(tx -> tx.lastSeq("board-1")));
            assertFalse(store.healthy());
        }
    }

    /** Submits a store call from its own thread and waits until that thread waits on the store (it is queued). */
    private <T> Future<T> queued(java.util.concurrent.Callable<T> call) {
        Thread[] caller = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        Future<T> future = callers.submit(() -> {
            caller[0] = Thread.currentThread();
            started.countDown();
            return call.call();
        });
        awaitLatch(started);
        Await.until("the caller waits on the store", () -> caller[0].getState() == Thread.State.WAITING
                || caller[0].getState() == Thread.State.TIMED_WAITING || future.isDone());
        return future;
    }

    private static void assertFailsPromptly(Future<?> future, String what) throws InterruptedException {
        try {
            Object result = future.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError(what + " succeeded: " + result);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": no answer within " + PROMPTLY + " (the caller hangs)");
        } catch (ExecutionException e) {
            assertInstanceOf(StoreException.class, e.getCause(), what);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
