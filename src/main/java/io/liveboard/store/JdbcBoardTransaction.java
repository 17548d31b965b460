package io.liveboard.store;

import io.liveboard.board.Board;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.BoardTransaction;
import io.liveboard.board.CommandResult;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.StoreException;
import io.liveboard.board.Task;
import io.liveboard.board.TaskList;
import io.liveboard.json.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One transaction on a store's connection, in plain JDBC: the SQL that SQLite and PostgreSQL share, over the same
 * tables (times as epoch milliseconds). The subclasses hold what differs: how ids are counted and old keys purged,
 * and on PostgreSQL the locks.
 */
abstract class JdbcBoardTransaction implements BoardTransaction {

    private static final String TASK_COLUMNS =
            "t.id, t.board_id, t.list_id, t.title, t.description, t.assignee_id, t.position, t.created_at, t.updated_at";
    private static final String TASKS_IN_ORDER =
            "SELECT " + TASK_COLUMNS + " FROM tasks t JOIN lists l ON l.id = t.list_id ";
    private static final String ORDER = " ORDER BY l.position, t.position";

    private final Statements statements;
    private final String epoch;
    private final int retention;

    protected JdbcBoardTransaction(Statements statements, String epoch, int retention) {
        this.statements = statements;
        this.epoch = epoch;
        this.retention = retention;
    }

    @FunctionalInterface
    protected interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @Override
    public List<Board> boards() {
        return query("SELECT id, name, created_at FROM boards ORDER BY created_at, id", JdbcBoardTransaction::board);
    }

    @Override
    public Optional<Board> board(String boardId) {
        return first(query("SELECT id, name, created_at FROM boards WHERE id = ?", JdbcBoardTransaction::board,
                boardId));
    }

    @Override
    public long lastSeq(String boardId) {
        return first(query("SELECT last_seq FROM boards WHERE id = ?", rs -> rs.getLong(1), boardId)).orElse(0L);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public long firstSeq(String boardId) {
        return first(query("SELECT seq FROM events WHERE board_id = ? ORDER BY seq LIMIT 1", rs -> rs.getLong(1),
                boardId)).orElse(0L);
    }

    @Override
    public List<BoardEvent> events(String boardId, long afterSeq, int limit) {
        return query("""
                SELECT board_id, seq, type, payload, created_at, origin_id FROM events
                WHERE board_id = ? AND seq > ? ORDER BY seq LIMIT ?""", rs -> new BoardEvent(rs.getString(1),
                rs.getLong(2), rs.getString(3), Json.readMap(rs.getString(4)), Instant.ofEpochMilli(rs.getLong(5)),
                rs.getString(6)), boardId, afterSeq, limit);
    }

    @Override
    public List<TaskList> lists(String boardId) {
        return query("SELECT id, board_id, name, position FROM lists WHERE board_id = ? ORDER BY position",
                JdbcBoardTransaction::list, boardId);
    }

    @Override
    public Optional<TaskList> list(String listId) {
        return first(query("SELECT id, board_id, name, position FROM lists WHERE id = ?", JdbcBoardTransaction::list,
                listId));
    }

    @Override
    public Optional<Task> task(String taskId) {
        return first(query("SELECT " + TASK_COLUMNS + " FROM tasks t WHERE t.id = ?", JdbcBoardTransaction::task,
                taskId));
    }

    @Override
    public List<Task> tasks(String boardId) {
        return query(TASKS_IN_ORDER + "WHERE t.board_id = ?" + ORDER, JdbcBoardTransaction::task, boardId);
    }

    @Override
    public int taskCount(String listId) {
        // positions run 0..n-1 without holes, so the highest + 1 is the count, found in the index at once
        return query("SELECT COALESCE(MAX(position) + 1, 0) FROM tasks WHERE list_id = ?", rs -> rs.getInt(1), listId)
                .get(0);
    }

    @Override
    public List<Task> tasksChangedSince(String boardId, Instant since) {
        return query(TASKS_IN_ORDER + "WHERE t.board_id = ? AND t.updated_at >= ?" + ORDER,
                JdbcBoardTransaction::task, boardId, since.toEpochMilli());
    }

    @Override
    public List<String> tasksDeletedSince(String boardId, Instant since) {
        return query("SELECT subject_id FROM events WHERE board_id = ? AND type = ? AND created_at >= ? ORDER BY seq",
                rs -> rs.getString(1), boardId, BoardEvent.TASK_DELETED, since.toEpochMilli());
    }

    @Override
    public boolean userExists(String userId) {
        return !query("SELECT 1 FROM users WHERE id = ?", rs -> 1, userId).isEmpty();
    }

    @Override
    public void insertUser(String id, String name, String email) {
        update("INSERT INTO users(id, name, email) VALUES (?, ?, ?)", id, name, email);
    }

    @Override
    public void insertBoard(Board board) {
        update("INSERT INTO boards(id, name, created_at) VALUES (?, ?, ?)", board.id(), board.name(),
                board.createdAt().toEpochMilli());
    }

    @Override
    public void insertList(TaskList list) {
        update("INSERT INTO lists(id, board_id, name, position) VALUES (?, ?, ?, ?)", list.id(), list.boardId(),
                list.name(), list.position());
    }

    @Override
    public void insertTask(Task task) {
        update("""
                INSERT INTO tasks(id, board_id, list_id, title, description, assignee_id, position, created_at,
                                  updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", task.id(), task.boardId(), task.listId(), task.title(),
                task.description(), task.assigneeId(), task.position(), task.createdAt().toEpochMilli(),
                task.updatedAt().toEpochMilli());
    }

    @Override
    public void updateTask(Task task) {
        update("""
                UPDATE tasks SET list_id = ?, title = ?, description = ?, assignee_id = ?, position = ?, updated_at = ?
                WHERE id = ?""", task.listId(), task.title(), task.description(), task.assigneeId(), task.position(),
                task.updatedAt().toEpochMilli(), task.id());
    }

    @Override
    public void deleteTask(String taskId) {
        update("DELETE FROM tasks WHERE id = ?", taskId);
    }

    @Override
    public void shiftPositions(String listId, int fromPosition, int delta) {
        update("UPDATE tasks SET position = position + ? WHERE list_id = ? AND position >= ?", delta, listId,
                fromPosition);
    }

    @Override
    public Optional<CommandResult> commandResult(IdempotencyKey key) {
        return first(query("""
                SELECT fingerprint, status, board_id, seq, result, created_at FROM idempotency_keys
                WHERE scope = ? AND key = ?""", rs -> new CommandResult(rs.getString(1), rs.getInt(2),
                rs.getString(3), nullableLong(rs, 4), Json.read(rs.getString(5)), Instant.ofEpochMilli(rs.getLong(6))),
                key.scope(), key.value()));
    }

    @Override
    public void insertCommandResult(IdempotencyKey key, CommandResult result) {
        update("""
                INSERT INTO idempotency_keys(scope, key, fingerprint, status, board_id, seq, result, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", key.scope(), key.value(), result.fingerprint(), result.status(),
                result.boardId(), result.seq(), Json.write(result.value()), result.createdAt().toEpochMilli());
    }

    @Override
    public void deleteCommandResult(IdempotencyKey key) {
        update("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", key.scope(), key.value());
    }

    @Override
    public BoardEvent appendEvent(String boardId, String type, String subjectId, Map<String, Object> data,
            Instant at, String originId) {
        long seq = query("UPDATE boards SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
                rs -> rs.getLong(1), boardId).get(0);
        update("INSERT INTO events(board_id, seq, type, subject_id, payload, created_at, origin_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", boardId, seq, type, subjectId, Json.write(data), at.toEpochMilli(),
                originId);
        if (seq > retention) {
            update("DELETE FROM events WHERE board_id = ? AND seq <= ?", boardId, seq - retention);
        }
        return new BoardEvent(boardId, seq, type, data, at, originId);
    }

    private static Board board(ResultSet rs) throws SQLException {
        return new Board(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
    }

    private static TaskList list(ResultSet rs) throws SQLException {
        return new TaskList(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4));
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)));
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    protected static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    protected <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (ResultSet rs = prepare(sql, params).executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("Query failed: " + e.getMessage(), e);
        }
    }

    protected int update(String sql, Object... params) {
        try {
            return prepare(sql, params).executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Update failed: " + e.getMessage(), e);
        }
    }

    private PreparedStatement prepare(String sql, Object... params) throws SQLException {
        PreparedStatement st = statements.get(sql);
        for (int i = 0; i < params.length; i++) {
            if (params[i] == null) {
                st.setNull(i + 1, Types.NULL); // of no type: PostgreSQL takes the column's
            } else {
                st.setObject(i + 1, params[i]);
            }
        }
        return st;
    }
}
