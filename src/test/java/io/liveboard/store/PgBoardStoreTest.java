package io.liveboard.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.liveboard.board.BoardStore;
import io.liveboard.board.StoreException;
import io.liveboard.config.Database;
import io.liveboard.support.TestPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store contract on PostgreSQL: a new database for each test on the one test server ({@link TestPostgres}),
 * and another node is a second {@link PgBoardStore} on the same database, writing beside the first.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgBoardStoreTest extends BoardStoreContract {

    private final Map<BoardStore, Database.Postgres> databases = new HashMap<>();

    private BoardStore open(Database.Postgres database, int retention) {
        PgBoardStore opened = PgBoardStore.open(database.jdbcUrl(), database.user(), database.password(), retention);
        databases.put(opened, database);
        return opened;
    }

    @Override
    protected BoardStore openNew(int retention) {
        return open(TestPostgres.freshDatabase(), retention);
    }

    @Override
    protected BoardStore reopen(BoardStore current) {
        current.close();
        return open(databases.get(current), RETENTION);
    }

    @Override
    protected BoardStore anotherNode(BoardStore current) {
        return opened(open(databases.get(current), RETENTION));
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsTheOpenWithinSecondsNamingItWithoutThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long start = System.nanoTime();
        StoreException e = assertThrows(StoreException.class, () -> PgBoardStore.open(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/liveboard", "alice", "s3cret", RETENTION));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "failed after " + millis + " ms");
        assertTrue(e.getMessage().startsWith("Cannot open the database postgresql://alice@127.0.0.1:" + closedPort
                + "/liveboard: "), e.getMessage());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void aDatabaseWithOtherTablesButNoLiveboardHistoryIsRefusedNotTakenOver() throws Exception {
        Database.Postgres database = TestPostgres.freshDatabase();
        try (Connection connection = TestPostgres.connect(database); Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE invoices (id int PRIMARY KEY)");
        }
        StoreException e = assertThrows(StoreException.class, () -> open(database, RETENTION));
        assertTrue(e.getMessage().contains("non-empty schema"), e.getMessage());
    }
}
