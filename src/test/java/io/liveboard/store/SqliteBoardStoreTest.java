package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.liveboard.board.BoardStore;
import io.liveboard.board.DemoData;
import io.liveboard.board.Task;
import io.liveboard.board.ValidationException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * The store contract on SQLite files, and SQLite's own group commit: writes committed together stay each
 * all-or-nothing and in order. Another node is the same store: a file has one writing process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqliteBoardStoreTest extends BoardStoreContract {

    @TempDir
    Path dir;
    private final Map<BoardStore, Path> files = new HashMap<>();

    @Override
    protected BoardStore openNew(int retention) {
        Path file = dir.resolve("store-" + files.size() + ".db");
        SqliteBoardStore opened = SqliteBoardStore.open(file, retention);
        files.put(opened, file);
        return opened;
    }

    @Override
    protected BoardStore reopen(BoardStore current) {
        current.close();
        Path file = files.get(current);
        SqliteBoardStore opened = SqliteBoardStore.open(file, RETENTION);
        files.put(opened, file);
        return opened;
    }

    @Override
    protected BoardStore anotherNode(BoardStore current) {
        return current;
    }

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
}
