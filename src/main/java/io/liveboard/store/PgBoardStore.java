package io.liveboard.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.liveboard.board.BoardStore;
import io.liveboard.board.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BoardStore} on a PostgreSQL database that several nodes share, each writing. Every call runs in its own
 * transaction on a pooled connection (HikariCP), on the caller's thread: writes of different boards run side by
 * side; writes of one board, on any node, one after the other ({@link PgBoardTransaction} says how), and on this
 * node their after-commit actions in their commit order. Reads run on one REPEATABLE READ snapshot.
 *
 * <p>When the database cannot be reached, a call fails with {@link StoreException} after at most
 * {@value #CONNECT_MILLIS} ms of waiting for a connection; the pool reconnects by itself once it is back.
 */
public final class PgBoardStore implements BoardStore {

    private static final Logger LOG = LoggerFactory.getLogger(PgBoardStore.class);
    /** How long a call waits for a connection, and the driver for a server to answer its connect. */
    static final int CONNECT_MILLIS = 3_000;
    /** How long a statement waits for a row lock (another node's write of the board) before it fails. */
    private static final int LOCK_WAIT_SECONDS = 10;
    /** How long a statement may take before the driver gives up on the server (a dead peer, a cut network). */
    private static final int SOCKET_SECONDS = 30;
    private static final int POOL_SIZE = 10;
    /** Tries of a write that PostgreSQL aborted as a deadlock or serialization failure; its work is run again. */
    private static final int TRIES = 3;
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK = "40P01";

    private final HikariDataSource pool;
    private final String name;
    private final String epoch;
    private final int retention;
    private final BoardLocks processLocks = new BoardLocks(SOCKET_SECONDS * 1000L);
    private volatile boolean open = true;

    private PgBoardStore(HikariDataSource pool, String name, String epoch, int retention) {
        this.pool = pool;
        this.name = name;
        this.epoch = epoch;
        this.retention = retention;
    }

    /**
     * Connects to the database, brings its schema up to date ({@link Migrations}: the first start makes the tables
     * and the database's epoch), and keeps the last {@code retention} events of each board.
     *
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/dbname[?parameters]}
     * @param user     the role to connect as
     * @param password its password, or null
     * @throws StoreException naming the database (without the password) and why it cannot be used
     */
    public static PgBoardStore open(String jdbcUrl, String user, String password, int retention) {
        String name = "postgresql://" + user + "@" + jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
        String where = "Cannot open the database " + name + ": ";
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(jdbcUrl, user, password));
        } catch (RuntimeException e) {
            throw new StoreException(where + rootMessage(e), e);
        }
        try {
            Migrations.postgresql(pool);
            String epoch;
            try (Connection connection = pool.getConnection(); Statement st = connection.createStatement();
                    var rs = st.executeQuery("SELECT value FROM meta WHERE key = 'epoch'")) {
                rs.next();
                epoch = rs.getString(1);
                connection.commit();
            }
            LOG.info("Opened PostgreSQL store {}", name);
            return new PgBoardStore(pool, name, epoch, retention);
        } catch (SQLException | FlywayException e) {
            pool.close();
            throw new StoreException(where + rootMessage(e), e);
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("liveboard-pg");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setAutoCommit(false);
        config.setConnectionTimeout(CONNECT_MILLIS);
        config.setValidationTimeout(Math.min(1_000, CONNECT_MILLIS));
        config.addDataSourceProperty("connectTimeout", CONNECT_MILLIS / 1000);
        config.addDataSourceProperty("socketTimeout", SOCKET_SECONDS);
        config.addDataSourceProperty("tcpKeepAlive", true);
        config.addDataSourceProperty("ApplicationName", "liveboard");
        config.addDataSourceProperty("options", "-c lock_timeout=" + LOCK_WAIT_SECONDS + "s");
        return config;
    }

    @Override
    public <T> T read(Work<T> work) {
        return inTransaction(PgBoardTransaction.Locking.NONE, work, null);
    }

    @Override
    public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
        return inTransaction(PgBoardTransaction.Locking.WRITE, work, afterCommit);
    }

    @Override
    public <T> T readAfterWrites(Work<T> work) {
        return inTransaction(PgBoardTransaction.Locking.SHARE, work, null);
    }

    private <T> T inTransaction(PgBoardTransaction.Locking locking, Work<T> work, Consumer<? super T> afterCommit) {
        for (int attempt = 1; ; attempt++) {
            checkOpen();
            try (Connection connection = connection(); Statements statements = new Statements(connection)) {
                PgBoardTransaction tx = new PgBoardTransaction(statements, epoch, retention, locking, processLocks);
                try {
                    if (locking == PgBoardTransaction.Locking.NONE) {
                        // every statement of the read on one snapshot: a board and its seq from the same moment
                        statements.get("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute();
                    }
                    T result = work.run(tx);
                    connection.commit();
                    if (afterCommit != null) {
                        runAfterCommit(afterCommit, result);
                    }
                    return result;
                } catch (RuntimeException | SQLException e) {
                    rollback(connection);
                    if (attempt < TRIES && retryable(e)) {
                        LOG.debug("Trying a write on {} again after {}", name, e.toString());
                        continue;
                    }
                    throw DatabaseErrors.failure(e, name);
                } catch (Error e) {
                    rollback(connection);
                    throw e;
                } finally {
                    tx.release();
                }
            } catch (SQLException e) {
                throw DatabaseErrors.databaseError(e, name); // no connection, or closing one failed
            }
        }
    }

    private Connection connection() throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StoreException("The database " + name + " is unavailable: " + rootMessage(e), e);
        }
    }

    private <T> void runAfterCommit(Consumer<? super T> afterCommit, T result) {
        try {
            afterCommit.accept(result);
        } catch (RuntimeException e) {
            LOG.warn("After-commit action failed on {}", name, e);
        }
    }

    /** A deadlock or serialization failure, which PostgreSQL asks the client to retry. */
    private static boolean retryable(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && (SERIALIZATION_FAILURE.equals(sql.getSQLState()) || DEADLOCK.equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }



    private void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed on {} (the connection is gone with its transaction)", name, e);
        }
    }

    /** What went wrong at the bottom (the driver's words: "Connection to … refused", "password authentication …"). */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : String.valueOf(e.getMessage());
    }

    private void checkOpen() {
        if (!open) {
            throw new StoreException("The store " + name + " is closed", null);
        }
    }

    /** True until closed: the database being unreachable for a while is answered per call, not here. */
    @Override
    public boolean healthy() {
        return open && !pool.isClosed();
    }

    @Override
    public void close() {
        open = false;
        pool.close();
    }
}
