package io.liveboard.store;

import io.liveboard.batch.BatchWorker;
import io.liveboard.board.BoardStore;
import io.liveboard.board.StoreException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * {@link BoardStore} on a SQLite file in WAL mode. SQLite has one writer at a time, so one writer thread
 * owns the write connection and commits whatever writes have queued in one transaction (group commit),
 * each write inside its own savepoint so that a refused one is undone alone. Reads run on a second
 * connection, which WAL lets see the last commit while the writer works.
 */
public final class SqliteBoardStore implements BoardStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteBoardStore.class);
    private static final int MAX_GROUP = 64;
    /** How long a caller waits for the writer thread before it gives up (a hung disk, a lock never released). */
    private static final long ANSWER_SECONDS = 30;

    /** Work waiting for the writer thread: a write, or a read to run once the writes before it committed. */
    private record PendingWrite<T>(Work<T> work, Consumer<? super T> afterCommit, boolean readOnly,
            CompletableFuture<T> result) {
    }

    private final Path file;
    private final String epoch;
    private final int retention;
    private final Connection writeConnection;
    private final Statements writeStatements;
    private final Connection readConnection;
    private final Statements readStatements;
    private final ReentrantLock readLock = new ReentrantLock();
    private final BatchWorker<PendingWrite<?>> writer;
    private volatile boolean open = true;

    private SqliteBoardStore(Path file, String epoch, int retention, Connection writeConnection,
            Connection readConnection) {
        this.file = file;
        this.epoch = epoch;
        this.retention = retention;
        this.writeConnection = writeConnection;
        this.writeStatements = new Statements(writeConnection);
        this.readConnection = readConnection;
        this.readStatements = new Statements(readConnection);
        this.writer = new BatchWorker<>("liveboard-store-writer", MAX_GROUP, this::handle, this::writerDied);
    }

    /** {@link #open(Path, int)} keeping the default 10,000 events per board. */
    public static SqliteBoardStore open(Path file) {
        return open(file, 10_000);
    }

    /**
     * Opens (and creates, with its folder, if need be) the SQLite database at {@code file}, brings its schema up to
     * date ({@link Migrations}), and keeps the last {@code retention} events of each board. A new database gets a new
     * random epoch; an existing one keeps its own.
     */
    public static SqliteBoardStore open(Path file, int retention) {
        String where = "Cannot open the database " + file.toAbsolutePath() + ": ";
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StoreException(where + "cannot create its folder " + parent + " (" + reason(e) + ")", e);
        }
        try {
            if (!Files.exists(file)) {
                // SQLite would only say "unable to open database file": try first, to tell why
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new StoreException(where + "cannot create it in " + parent + " (" + reason(e) + ")", e);
        }
        try {
            Connection write = connect(file);
            try (Statement st = write.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL"); // kept in the file: set before the migrations write to it
            }
            Migrations.sqlite(url(file));
            String epoch = epochOf(write);
            write.setAutoCommit(false);
            Connection read = connect(file);
            read.setAutoCommit(false);
            LOG.info("Opened SQLite store {}", file.toAbsolutePath());
            return new SqliteBoardStore(file, epoch, retention, write, read);
        } catch (SQLException | FlywayException e) {
            throw new StoreException(where + e.getMessage(), e);
        }
    }

    /** Why a file operation failed, in words (the exception's message is often just the path). */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "not a directory"; // createDirectories found a file where the folder should be
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.toString();
    }

    /** The database's epoch, made (8 random hex digits) by the first migration. */
    private static String epochOf(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                var rs = st.executeQuery("SELECT value FROM meta WHERE key = 'epoch'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file;
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setGetGeneratedKeys(false); // else every insert asks SQLite for its row id, which nothing reads
        Connection connection = DriverManager.getConnection(url(file), config.toProperties());
        try (Statement st = connection.createStatement()) {
            // WAL + NORMAL: a commit survives a crash of the process (kill -9); only an OS crash or power
            // loss can take back the last commits.
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=5000");
        }
        return connection;
    }

    @Override
    public <T> T read(Work<T> work) {
        readLock.lock();
        try {
            checkOpen();
            try {
                return work.run(new SqliteBoardTransaction(readStatements, epoch, retention));
            } finally {
                endRead();
            }
        } catch (RuntimeException e) {
            throw DatabaseErrors.failure(e, file);
        } finally {
            readLock.unlock();
        }
    }

    /** Ends the read transaction, so that the next read sees the latest commit. */
    private void endRead() {
        try {
            readConnection.commit();
        } catch (SQLException e) {
            throw DatabaseErrors.databaseError(e, file);
        }
    }

    @Override
    public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
        return submit(new PendingWrite<>(work, afterCommit, false, new CompletableFuture<>()));
    }

    @Override
    public <T> T readAfterWrites(Work<T> work) {
        return submit(new PendingWrite<>(work, result -> { }, true, new CompletableFuture<>()));
    }

    private <T> T submit(PendingWrite<T> pending) {
        checkOpen();
        try {
            writer.add(pending);
        } catch (IllegalStateException e) {
            throw new StoreException("The store's writer has stopped: " + e.getMessage(), e);
        }
        try {
            return pending.result().get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while waiting for the commit", e);
        } catch (TimeoutException e) {
            throw new StoreException("The store did not answer within " + ANSWER_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new StoreException("Write failed: " + e.getCause(), e.getCause());
        }
    }

    /** The writer thread died: every write it held or had queued learns that the store failed. */
    private void writerDied(List<PendingWrite<?>> unhandled) {
        StoreException failure = new StoreException("The store's writer has stopped after a fatal error", null);
        unhandled.forEach(p -> p.result().completeExceptionally(failure));
    }

    @Override
    public boolean healthy() {
        return open && writer.alive();
    }

    /** Commits the writes of a batch together, up to each read-after-writes, which runs on its own in between. */
    private void handle(List<PendingWrite<?>> batch) {
        int from = 0;
        for (int i = 0; i <= batch.size(); i++) {
            if (i == batch.size() || batch.get(i).readOnly()) {
                if (i > from) {
                    commitGroup(batch.subList(from, i));
                }
                if (i < batch.size()) {
                    readCommitted(batch.get(i));
                }
                from = i + 1;
            }
        }
    }

    private <T> void readCommitted(PendingWrite<T> pending) {
        try {
            T result = pending.work().run(new SqliteBoardTransaction(writeStatements, epoch, retention));
            writeConnection.commit();
            pending.result().complete(result);
        } catch (RuntimeException | SQLException e) {
            rollback();
            pending.result().completeExceptionally(DatabaseErrors.failure(e, file));
        }
    }

    private void commitGroup(List<PendingWrite<?>> group) {
        List<Object> results = new ArrayList<>(group.size());
        List<PendingWrite<?>> done = new ArrayList<>(group.size());
        SqliteBoardTransaction tx = new SqliteBoardTransaction(writeStatements, epoch, retention);
        for (PendingWrite<?> pending : group) {
            try {
                execute("SAVEPOINT change");
                Object result = pending.work().run(tx);
                execute("RELEASE change");
                results.add(result);
                done.add(pending);
            } catch (RuntimeException e) {
                if (!undo(pending, e)) {
                    failAll(group, e);
                    return;
                }
            }
        }
        try {
            writeConnection.commit();
        } catch (SQLException e) {
            rollback();
            failAll(done, e);
            return;
        }
        for (int i = 0; i < done.size(); i++) {
            complete(done.get(i), results.get(i));
        }
    }

    /** Rolls one refused write back to its savepoint and fails it; false if even that failed. */
    private boolean undo(PendingWrite<?> pending, RuntimeException cause) {
        try {
            execute("ROLLBACK TO change");
            execute("RELEASE change");
        } catch (RuntimeException e) {
            LOG.warn("Rolling back a write on {} failed", file, e);
            rollback();
            return false;
        }
        pending.result().completeExceptionally(DatabaseErrors.failure(cause, file));
        return true;
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(PendingWrite<T> pending, Object result) {
        try {
            pending.afterCommit().accept((T) result);
        } catch (RuntimeException e) {
            LOG.warn("After-commit action failed on {}", file, e);
        }
        pending.result().complete((T) result);
    }

    private void failAll(List<PendingWrite<?>> group, Exception cause) {
        // the whole transaction is gone: each write learns the store failed, whatever one of them threw
        StoreException failure = DatabaseErrors.databaseError(cause, file);
        group.forEach(p -> p.result().completeExceptionally(failure));
    }



    private void execute(String sql) {
        try {
            writeStatements.get(sql).execute();
        } catch (SQLException e) {
            throw new StoreException(sql + " failed: " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            writeConnection.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed on {}", file, e);
        }
    }

    private void checkOpen() {
        if (!open) {
            throw new StoreException("The store " + file + " is closed", null);
        }
    }

    @Override
    public void close() {
        open = false;
        writer.stop().forEach(p -> p.result().completeExceptionally(new StoreException("The store is closed", null)));
        readLock.lock();
        try {
            writeStatements.close();
            readStatements.close();
            writeConnection.close();
            readConnection.close();
        } catch (SQLException e) {
            LOG.warn("Closing {} failed", file, e);
        } finally {
            readLock.unlock();
        }
    }
}
