package io.liveboard.store;

import io.liveboard.board.Board;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.CommandResult;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.Task;
import io.liveboard.board.TaskList;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A transaction on PostgreSQL, where every node writes. A write locks each board it touches the first time it
 * reads the board, a list or a task of it, or writes to it: this process's lock first ({@link BoardLocks}), then the
 * board's row ({@code FOR NO KEY UPDATE}), both held until it has committed. Under READ COMMITTED every statement
 * after that sees the board as the last write of it left it, and no other write of the board, on any node, runs
 * until this one ends: the board's counter row gives gapless {@code seq} in commit order, and positions stay
 * 0..n-1. A read-after-writes takes the row in share mode instead: it waits for a write of the board in progress
 * and keeps the next one off until it ends. A plain read takes no lock (it runs on one REPEATABLE READ snapshot).
 *
 * <p>Ids come from one sequence per prefix ({@code task_ids}, made by the migrations), which no write waits on; a
 * rolled-back write's number is skipped. A write with an idempotency key holds a transaction-scoped advisory lock
 * on it from its look-up, so that two requests with one key run one after the other, on any nodes.
 */
final class PgBoardTransaction extends JdbcBoardTransaction {

    /** Which locks the transaction takes on the boards it touches. */
    enum Locking {
        /** A plain read: none. */
        NONE,
        /** A read-after-writes: the board's row in share mode. */
        SHARE,
        /** A write: this process's lock of the board, then its row for update. */
        WRITE
    }

    private final Locking locking;
    private final BoardLocks processLocks;
    private final Set<String> locked = new LinkedHashSet<>();
    private final Map<String, String> boardOfList = new HashMap<>();
    private final Map<String, String> boardOfTask = new HashMap<>();

    PgBoardTransaction(Statements statements, String epoch, int retention, Locking locking, BoardLocks processLocks) {
        super(statements, epoch, retention);
        this.locking = locking;
        this.processLocks = processLocks;
    }

    /** Lets this process's board locks go: after the commit and its after-commit action, or after the rollback. */
    void release() {
        if (locking == Locking.WRITE) {
            locked.forEach(processLocks::unlock);
        }
        locked.clear();
    }

    private boolean needsLock(String boardId) {
        return locking != Locking.NONE && !locked.contains(boardId);
    }

    private void lock(String boardId) {
        if (!needsLock(boardId)) {
            return;
        }
        if (locking == Locking.WRITE) {
            processLocks.lock(boardId);
            locked.add(boardId);
            query("SELECT 1 FROM boards WHERE id = ? FOR NO KEY UPDATE", rs -> 1, boardId);
        } else {
            locked.add(boardId);
            query("SELECT 1 FROM boards WHERE id = ? FOR SHARE", rs -> 1, boardId);
        }
    }

    private void lockBoardOfList(String listId) {
        if (locking == Locking.NONE) {
            return;
        }
        String boardId = boardOfList.get(listId);
        if (boardId == null) {
            boardId = first(query("SELECT board_id FROM lists WHERE id = ?", rs -> rs.getString(1), listId))
                    .orElse(null);
        }
        if (boardId != null) {
            lock(boardId);
        }
    }

    private void lockBoardOfTask(String taskId) {
        if (locking == Locking.NONE) {
            return;
        }
        String boardId = boardOfTask.get(taskId);
        if (boardId == null) {
            boardId = first(query("SELECT board_id FROM tasks WHERE id = ?", rs -> rs.getString(1), taskId))
                    .orElse(null);
        }
        if (boardId != null) {
            lock(boardId);
        }
    }

    @Override
    public List<Board> boards() {
        if (locking == Locking.WRITE) {
            // a write that looks at every board (the demo data's "is the store empty?") holds off new boards and
            // changes of boards until it ends, so that two nodes starting on an empty database seed it once
            update("LOCK TABLE boards IN SHARE ROW EXCLUSIVE MODE");
        }
        return super.boards();
    }

    @Override
    public Optional<Board> board(String boardId) {
        lock(boardId);
        return super.board(boardId);
    }

    @Override
    public long lastSeq(String boardId) {
        lock(boardId);
        return super.lastSeq(boardId);
    }

    /** One query for all, without locks (it is for a read: the fan-out's sweep of the boards it serves). */
    @Override
    public Map<String, Long> lastSeqs(Collection<String> boardIds) {
        Map<String, Long> seqs = new HashMap<>();
        for (Map.Entry<String, Long> row : query("SELECT id, last_seq FROM boards WHERE id = ANY(?)",
                rs -> Map.entry(rs.getString(1), rs.getLong(2)), (Object) boardIds.toArray(new String[0]))) {
            seqs.put(row.getKey(), row.getValue());
        }
        return seqs;
    }

    @Override
    public long firstSeq(String boardId) {
        lock(boardId);
        return super.firstSeq(boardId);
    }

    @Override
    public List<BoardEvent> events(String boardId, long afterSeq, int limit) {
        lock(boardId);
        return super.events(boardId, afterSeq, limit);
    }

    @Override
    public List<TaskList> lists(String boardId) {
        lock(boardId);
        return super.lists(boardId);
    }

    @Override
    public Optional<TaskList> list(String listId) {
        Optional<TaskList> list = super.list(listId);
        if (list.isPresent() && needsLock(list.get().boardId())) {
            lock(list.get().boardId());
            list = super.list(listId); // as the last write of the board left it
        }
        list.ifPresent(l -> boardOfList.put(l.id(), l.boardId()));
        return list;
    }

    @Override
    public Optional<Task> task(String taskId) {
        Optional<Task> task = super.task(taskId);
        if (task.isPresent() && needsLock(task.get().boardId())) {
            lock(task.get().boardId());
            task = super.task(taskId); // it may have moved, or gone, while this write waited
        }
        task.ifPresent(t -> {
            boardOfTask.put(t.id(), t.boardId());
            boardOfList.put(t.listId(), t.boardId());
        });
        return task;
    }

    @Override
    public List<Task> tasks(String boardId) {
        lock(boardId);
        return super.tasks(boardId);
    }

    @Override
    public int taskCount(String listId) {
        lockBoardOfList(listId);
        return super.taskCount(listId);
    }

    @Override
    public List<Task> tasksChangedSince(String boardId, Instant since) {
        lock(boardId);
        return super.tasksChangedSince(boardId, since);
    }

    @Override
    public List<String> tasksDeletedSince(String boardId, Instant since) {
        lock(boardId);
        return super.tasksDeletedSince(boardId, since);
    }

    @Override
    public String nextId(String prefix) {
        if (!prefix.matches("[a-z]+")) {
            throw new IllegalArgumentException("An id prefix is lower-case letters, got " + prefix);
        }
        long value = query("SELECT nextval(CAST(? AS regclass))", rs -> rs.getLong(1), prefix + "_ids").get(0);
        return prefix + "-" + value;
    }

    @Override
    public void insertList(TaskList list) {
        lock(list.boardId());
        boardOfList.put(list.id(), list.boardId());
        super.insertList(list);
    }

    @Override
    public void insertTask(Task task) {
        lock(task.boardId());
        super.insertTask(task);
    }

    @Override
    public void updateTask(Task task) {
        lock(task.boardId());
        super.updateTask(task);
    }

    @Override
    public void deleteTask(String taskId) {
        lockBoardOfTask(taskId);
        super.deleteTask(taskId);
    }

    @Override
    public void shiftPositions(String listId, int fromPosition, int delta) {
        lockBoardOfList(listId);
        super.shiftPositions(listId, fromPosition, delta);
    }

    @Override
    public Optional<CommandResult> commandResult(IdempotencyKey key) {
        if (locking == Locking.WRITE) {
            // held to the end of the transaction: a second request with the key waits here, then finds the result
            query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", rs -> 1,
                    key.scope().length() + ":" + key.scope() + key.value());
        }
        return super.commandResult(key);
    }

    @Override
    public int purgeCommandResults(Instant notAfter, int limit) {
        // keys another write holds are left for a later purge rather than waited for
        return update("""
                DELETE FROM idempotency_keys WHERE (scope, key) IN (
                  SELECT scope, key FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?
                  FOR UPDATE SKIP LOCKED)""", notAfter.toEpochMilli(), limit);
    }

    @Override
    public BoardEvent appendEvent(String boardId, String type, String subjectId, Map<String, Object> data,
            Instant at, String originId) {
        lock(boardId);
        return super.appendEvent(boardId, type, subjectId, data, at, originId);
    }
}
