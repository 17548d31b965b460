package io.liveboard.board;

import java.util.function.Consumer;

/**
 * Durable storage of boards, lists, tasks, users and the per-board event log.
 *
 * <p>All access goes through transactions. {@link #write} runs its work in one transaction: everything the
 * work did is committed together, or, if the work throws, nothing is. Write transactions are serialized:
 * their {@code afterCommit} callbacks run in commit order, each before the next write commits, so whatever
 * they hand on (events) keeps the order of the commits. Implementations are thread-safe.
 */
public interface BoardStore extends AutoCloseable {

    /** Work done inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(BoardTransaction tx);
    }

    /** Runs read-only work on a consistent view of committed data. */
    <T> T read(Work<T> work);

    /**
     * Runs work in one write transaction and commits it; then calls {@code afterCommit} with the result
     * before any later write transaction commits. A 2xx may be answered once this returns.
     *
     * @throws BoardException what the work threw; the transaction was rolled back
     * @throws StoreException the store failed; the transaction was rolled back
     */
    <T> T write(Work<T> work, Consumer<? super T> afterCommit);

    /** Closes the store; later calls fail. */
    @Override
    void close();
}
