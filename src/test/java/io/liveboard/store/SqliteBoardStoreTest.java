package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.DemoData;
import io.liveboard.board.StoreException;
import io.liveboard.board.Task;
import io.liveboard.board.ValidationException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Group commit on a real SQLite file: writes committed together stay each all-or-nothing and in order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqliteBoardStoreTest {

    @TempDir
    Path dir;

    private static Task task(String id, int position) {
        Instant now = Instant.now();
        return new Task(id, "board-1", "list-todo", id, "", null, position, now, now);
    }

    @Test
    void aRefusedWriteAmongConcurrentOnesIsUndoneAloneAndTheRestCommitInOrder() throws Exception {
        try (SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("group.db"))) {
            DemoData.seedIfEmpty(store, Instant.now());
            List<Long> committedSeqs = new CopyOnWriteArrayList<>();
            Set<String> kept = ConcurrentHashMap.newKeySet();
            Set<String> refused = ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                        String id = "t" + thread + "-" + i;
                        boolean refuse = i % 3 == 0;
                        try {
                            store.write(tx -> {
                                tx.insertTask(task(id, 0));
                                long seq = tx.appendEvent("board-1", "task_created", id, Map.of("taskId", id),
                                        Instant.now(), null).seq();
                                if (refuse) {
                                    throw new ValidationException("refused " + id);
                                }
                                return seq;
                            }, committedSeqs::add);
                            kept.add(id);
                        } catch (ValidationException e) {
                            assertEquals("refused " + id, e.getMessage());
                            refused.add(id);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertEquals(8 * 33, kept.size());
            assertEquals(8 * 17, refused.size());
            List<String> stored = store.read(tx -> tx.tasks("board-1").stream().map(Task::id).toList());
            assertEquals(kept, Set.copyOf(stored));
            assertEquals(kept.size(), stored.size());
            // the refused writes' events were undone with them: the kept ones are numbered 1..n, published in order
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= kept.size(); s++) {
                expected.add(s);
            }
            assertEquals(expected, committedSeqs);
            long lastSeq = store.read(tx -> tx.lastSeq("board-1"));
            assertEquals(kept.size(), lastSeq);
        }
    }

    @Test
    void readAfterWritesWaitsForTheWritesBeforeItWhileAPlainReadDoesNot() throws Exception {
        try (SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("cut.db"))) {
            DemoData.seedIfEmpty(store, Instant.now());
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<?> write = pool.submit(() -> store.write(tx -> {
                tx.insertTask(task("slow", 0));
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }, x -> { }));
            writing.await();
            Future<List<String>> cut = pool.submit(() -> store.readAfterWrites(
                    tx -> tx.tasks("board-1").stream().map(Task::id).toList()));

            assertEquals(List.of(), store.read(tx -> tx.tasks("board-1")), "a plain read sees the last commit only");
            assertTrue(!cut.isDone(), "the cut waits for the write in progress");
            release.countDown();
            write.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("slow"), cut.get(10, TimeUnit.SECONDS));
            pool.shutdown();
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("closed.db"));
        store.close();
        assertThrows(StoreException.class, () -> store.read(tx -> tx.boards()));
        StoreException e = assertThrows(StoreException.class, () -> store.write(tx -> 1, x -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
