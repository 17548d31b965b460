package io.liveboard.store;

import io.liveboard.board.BoardException;
import io.liveboard.board.BoardStore;
import io.liveboard.board.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BoardStore} on a SQLite file in WAL mode. SQLite has one writer at a time, so one connection
 * under one lock serves every transaction; that lock is also what keeps {@code afterCommit} in commit order.
 */
public final class JdbcBoardStore implements BoardStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBoardStore.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final Statements statements;
    private final Path file;

    private JdbcBoardStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
        this.statements = new Statements(connection);
    }

    /** Opens (and creates, with its folder and schema, if need be) the SQLite database at {@code file}. */
    public static JdbcBoardStore openSqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                // WAL + NORMAL: a commit survives a crash of the process (kill -9); only an OS crash or power
                // loss can take back the last commits.
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("PRAGMA foreign_keys=ON");
                st.execute("PRAGMA busy_timeout=5000");
                for (String ddl : SqliteSchema.STATEMENTS) {
                    st.execute(ddl);
                }
            }
            connection.setAutoCommit(false);
            connection.commit();
            LOG.info("Opened SQLite store {}", file.toAbsolutePath());
            return new JdbcBoardStore(file, connection);
        } catch (SQLException | IOException e) {
            throw new StoreException("Cannot open the database " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T read(Work<T> work) {
        lock.lock();
        try {
            return transaction(work);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
        lock.lock();
        try {
            T result = transaction(work);
            afterCommit.accept(result);
            return result;
        } finally {
            lock.unlock();
        }
    }

    private <T> T transaction(Work<T> work) {
        try {
            T result = work.run(new JdbcBoardTransaction(statements));
            connection.commit();
            return result;
        } catch (BoardException | StoreException e) {
            rollback();
            throw e;
        } catch (SQLException | RuntimeException e) {
            rollback();
            throw new StoreException("Database error on " + file + ": " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed on {}", file, e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            statements.close();
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Closing {} failed", file, e);
        } finally {
            lock.unlock();
        }
    }
}
