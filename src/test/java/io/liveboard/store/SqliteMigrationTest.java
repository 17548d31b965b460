package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.BoardEvent;
import io.liveboard.board.BoardService;
import io.liveboard.board.BoardSnapshot;
import io.liveboard.board.Catchup;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.NewTask;
import io.liveboard.board.Origin;
import io.liveboard.board.Outcome;
import io.liveboard.board.Access;
import io.liveboard.board.Task;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite files made before the schema came from migrations open under Flyway as they are: their data, event
 * numbers, id counters, idempotency keys and epoch are kept, and they gain the tables added since.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqliteMigrationTest {

    /**
     * Made by the server on main before this change (commit a27c37f): the demo data, a board {@code board-3} "Made
     * before Flyway" with a fourth list "Review", and on board-1 tasks First (with the key {@code fixture-key-1},
     * description and assignee), Second, Third (moved to the top) and Gone (deleted): events 1..6.
     */
    private static final String MADE_BY_MAIN = "/store/made-before-migrations.db";
    private static final String EPOCH_OF_MADE_BY_MAIN = "875bf917";
    /** The fixture's key was used at 11:30:23 that day; a clock a minute later still finds it alive. */
    private static final Clock SOON_AFTER = Clock.fixed(Instant.parse("2026-12-06T11:31:00Z"), ZoneOffset.UTC);
    /** The schema as that code made it, statement by statement, with the epoch {@code cafe0123}. */
    private static final String SCHEMA_BEFORE = "/store/schema-before-migrations.sql";

    @TempDir
    Path dir;

    @Test
    void aFileMadeByTheServerBeforeMigrationsKeepsEverything() throws Exception {
        Path file = dir.resolve("old.db");
        try (InputStream fixture = getClass().getResourceAsStream(MADE_BY_MAIN)) {
            Files.copy(fixture, file);
        }
        try (SqliteBoardStore store = SqliteBoardStore.open(file)) {
            BoardService service = new BoardService(store, event -> { }, SOON_AFTER);
            assertEquals(List.of("board-1", "board-2", "board-3"),
                    service.boards().stream().map(b -> b.id()).toList());
            BoardSnapshot old = service.board("board-3");
            assertEquals("Made before Flyway", old.name());
            assertEquals(List.of("To Do", "In Progress", "Done", "Review"),
                    old.lists().stream().map(BoardSnapshot.ListSnapshot::name).toList());

            BoardSnapshot board = service.board("board-1");
            assertEquals(6, board.seq());
            assertEquals(List.of("Third", "First", "Second"), titles(board, "list-todo"));
            assertEquals(List.of(), titles(board, "list-doing"), "the deleted task stays deleted");
            Task first = service.task("task-1");
            assertEquals("kept", first.description());
            assertEquals("user-2", first.assigneeId());
            assertEquals(1, first.position());

            Catchup after3 = service.catchUp("board-1", 3L, EPOCH_OF_MADE_BY_MAIN, 100);
            assertEquals(null, after3.resync(), "the old epoch is still this database's");
            assertEquals(List.of(BoardEvent.TASK_MOVED, BoardEvent.TASK_CREATED, BoardEvent.TASK_DELETED),
                    after3.events().stream().map(BoardEvent::type).toList());
            assertEquals(List.of(4L, 5L, 6L), after3.events().stream().map(BoardEvent::seq).toList());

            Outcome<Task> retried = service.createTask(new NewTask("list-todo", "First", "kept", "user-2"),
                    Origin.NONE, Access.ALL, new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, "fixture-key-1", "test"));
            assertTrue(retried.replayed(), "the key kept before the migration still answers");
            assertEquals(1, retried.result().seq());

            Task next = service.createTask(new NewTask("list-todo", "After", null, null), Origin.NONE).value();
            assertEquals("task-5", next.id(), "the id counters go on");
            assertEquals(7, service.board("board-1").seq(), "so do the event numbers");
            assertEquals("board-4", service.createBoard("Next").id());
        }
        assertEquals(List.of("0 the schema before migrations", "1 schema", "2 event origin"), history(file));

        try (SqliteBoardStore again = SqliteBoardStore.open(file)) {
            assertEquals(EPOCH_OF_MADE_BY_MAIN, again.read(tx -> tx.epoch()));
            assertEquals(7L, again.<Long>read(tx -> tx.lastSeq("board-1")));
        }
        assertEquals(List.of("0 the schema before migrations", "1 schema", "2 event origin"), history(file),
                "a migrated file is left as it is");
    }

    @Test
    void aFileMadeBeforeTheKeyTableGainsItAndKeepsItsEpoch() throws Exception {
        Path file = dir.resolve("older.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = connection.createStatement()) {
            for (String statement : schemaBefore()) {
                if (!statement.contains("idempotency_keys")) {
                    st.execute(statement);
                }
            }
            st.execute("INSERT INTO boards(id, name, created_at, last_seq) VALUES ('board-1', 'Old', 0, 0)");
            st.execute("INSERT INTO lists(id, board_id, name, position) VALUES ('list-todo', 'board-1', 'To Do', 0)");
        }
        assertEquals(0, tables(file, "idempotency_keys"));

        try (SqliteBoardStore store = SqliteBoardStore.open(file)) {
            assertEquals("cafe0123", store.read(tx -> tx.epoch()));
            BoardService service = new BoardService(store, event -> { }, Clock.systemUTC());
            IdempotencyKey key = new IdempotencyKey(IdempotencyKey.SHARED_SCOPE, "after-the-migration", "test");
            NewTask task = new NewTask("list-todo", "Keyed", null, null);
            assertEquals(false, service.createTask(task, Origin.NONE, Access.ALL, key).replayed());
            assertEquals(true, service.createTask(task, Origin.NONE, Access.ALL, key).replayed());
            assertEquals(List.of("Keyed"), titles(service.board("board-1"), "list-todo"));
        }
        assertEquals(1, tables(file, "idempotency_keys"));
    }

    @Test
    void aNewFileGetsTheSchemaFromTheFirstMigrationAndAnEpochOfItsOwn() {
        String epoch;
        try (SqliteBoardStore store = SqliteBoardStore.open(dir.resolve("new.db"))) {
            epoch = store.read(tx -> tx.epoch());
            assertTrue(epoch.matches("[0-9a-f]{8}"), epoch);
        }
        try (SqliteBoardStore again = SqliteBoardStore.open(dir.resolve("new.db"))) {
            assertEquals(epoch, again.read(tx -> tx.epoch()), "the epoch is the database's, made once");
        }
        try (SqliteBoardStore other = SqliteBoardStore.open(dir.resolve("other.db"))) {
            assertNotEquals(epoch, other.read(tx -> tx.epoch()));
        }
        assertEquals(List.of("1 schema", "2 event origin"), history(dir.resolve("new.db")),
                "a new file needs no baseline");
    }

    private static List<String> titles(BoardSnapshot board, String listId) {
        return board.lists().stream().filter(l -> l.id().equals(listId)).findFirst().orElseThrow().tasks().stream()
                .map(Task::title).toList();
    }

    private static List<String> schemaBefore() throws IOException {
        try (InputStream in = SqliteMigrationTest.class.getResourceAsStream(SCHEMA_BEFORE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> statements = new ArrayList<>();
            for (String statement : text.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!statement.isBlank()) {
                    statements.add(statement.strip());
                }
            }
            return statements;
        }
    }

    /** The migrations Flyway recorded in the file, as "version description", in order. */
    private static List<String> history(Path file) {
        return query(file, "SELECT version || ' ' || description FROM flyway_schema_history ORDER BY installed_rank");
    }

    private static int tables(Path file, String name) {
        return query(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'").size();
    }

    private static List<String> query(Path file, String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = connection.createStatement();
                var rs = st.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
