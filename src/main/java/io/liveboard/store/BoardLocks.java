package io.liveboard.store;

import io.liveboard.board.StoreException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process's locks by board id. A PostgreSQL write takes its board's here before the board's row in the
 * database, and keeps it until its after-commit action has run: the database lock alone is let go at the commit,
 * and the next write of the board could then hand on its event before this one. A lock is dropped from the map when
 * nobody holds or waits for it.
 */
final class BoardLocks {

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users; // holding or waiting; changed only inside the map's compute
    }

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();
    private final long timeoutMillis;

    BoardLocks(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Waits for the board's lock.
     *
     * @throws StoreException when it is not had within the timeout, or the wait is interrupted
     */
    void lock(String boardId) {
        Entry entry = locks.compute(boardId, (id, e) -> {
            Entry held = e == null ? new Entry() : e;
            held.users++;
            return held;
        });
        boolean locked = false;
        try {
            locked = entry.lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!locked) {
                leave(boardId);
            }
        }
        if (!locked) {
            throw new StoreException("Board " + boardId + " stayed locked by another write of this node for "
                    + timeoutMillis + " ms", null);
        }
    }

    /** Lets the board's lock go; only by the thread that holds it. */
    void unlock(String boardId) {
        locks.get(boardId).lock.unlock();
        leave(boardId);
    }

    private void leave(String boardId) {
        locks.compute(boardId, (id, e) -> --e.users == 0 ? null : e);
    }

    /** How many boards have a lock held or waited for (0 when every write is done). */
    int size() {
        return locks.size();
    }
}
