package io.liveboard.board;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations of one store transaction. Only valid inside the {@link BoardStore.Work} it was given to,
 * on that thread. Lists are returned in position order; tasks in list position, then task position order.
 */
public interface BoardTransaction {

    List<Board> boards();

    Optional<Board> board(String boardId);

    /** The board's last event number (0 before its first event). */
    long lastSeq(String boardId);

    /**
     * The store's epoch: made with the database (by its first migration), so that positions of another database are
     * told apart; every node on one database has the same.
     */
    String epoch();

    /** Each board's last event number (boards that do not exist are left out); one query where the store can. */
    default Map<String, Long> lastSeqs(Collection<String> boardIds) {
        Map<String, Long> seqs = new HashMap<>();
        for (String id : boardIds) {
            if (board(id).isPresent()) {
                seqs.put(id, lastSeq(id));
            }
        }
        return seqs;
    }

    /** The board's oldest event still kept (retention trims the log), 0 if it has none. */
    long firstSeq(String boardId);

    /** The board's kept events after {@code afterSeq}, in order, at most {@code limit}; their originId is null. */
    List<BoardEvent> events(String boardId, long afterSeq, int limit);

    List<TaskList> lists(String boardId);

    Optional<TaskList> list(String listId);

    Optional<Task> task(String taskId);

    List<Task> tasks(String boardId);

    /** How many tasks the list has; relies on positions 0..n-1 without holes, so only between changes. */
    int taskCount(String listId);

    List<Task> tasksChangedSince(String boardId, Instant since);

    List<String> tasksDeletedSince(String boardId, Instant since);

    boolean userExists(String userId);

    /**
     * A new unique id such as {@code task-7}: the prefix, a dash and the next number for that prefix (on PostgreSQL
     * from a sequence, which skips the numbers of writes that were rolled back).
     */
    String nextId(String prefix);

    void insertUser(String id, String name, String email);

    void insertBoard(Board board);

    void insertList(TaskList list);

    void insertTask(Task task);

    /** Writes title, description, assignee, list, position and updatedAt of an existing task. */
    void updateTask(Task task);

    void deleteTask(String taskId);

    /** Adds {@code delta} to the position of the list's tasks at or after {@code fromPosition}. */
    void shiftPositions(String listId, int fromPosition, int delta);

    /**
     * The result kept under {@code key} in its scope, however old, if any. In a write, the key is held from here to
     * the write's end: another write looking it up meanwhile waits, then finds what this one kept.
     */
    Optional<CommandResult> commandResult(IdempotencyKey key);

    /** Keeps {@code result} under {@code key} in its scope, which holds none. */
    void insertCommandResult(IdempotencyKey key, CommandResult result);

    /** Forgets the result kept under {@code key} in its scope, if any. */
    void deleteCommandResult(IdempotencyKey key);

    /** Forgets at most {@code limit} kept results made at or before {@code notAfter}, oldest first; how many. */
    int purgeCommandResults(Instant notAfter, int limit);

    /**
     * Appends an event to the board's log with the board's next number and returns it, in this
     * transaction: it exists if and only if the change does. Events beyond the store's retention (the
     * board's last N) are dropped in the same transaction.
     */
    BoardEvent appendEvent(String boardId, String type, String subjectId, Map<String, Object> data, Instant at,
            String originId);
}
