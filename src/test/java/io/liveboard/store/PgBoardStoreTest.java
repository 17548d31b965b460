package io.liveboard.store;

import io.liveboard.board.BoardStore;
import io.liveboard.config.Database;
import io.liveboard.support.TestPostgres;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
}
