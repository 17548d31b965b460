package io.liveboard.board;

import java.util.function.Consumer;

/**
 * Durable storage of boards, lists, tasks, users and the per-board event log.
 *
 * <p>All access goes through transactions. {@link #write} runs its work atomically: everything the work
 * did is committed together, or, if the work throws, none of it is. Writes are serialized, and may be
 * committed together with other writes (group commit), each still all-or-nothing on its own. Their
 * {@code afterCommit} callbacks run in commit order, each before any later write commits, so whatever they
 * hand on (events) keeps the order of the commits. Reads see the last commit. Implementations are
 * thread-safe.
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
     * Runs work atomically and commits it; then calls {@code afterCommit} with the result before any later
     * write commits. Returns once committed, so a 2xx may be answered then. The work must not call the store.
     *
     * @throws BoardException what the work threw; the transaction was rolled back
     * @throws StoreException the store failed; the transaction was rolled back
     */
    <T> T write(Work<T> work, Consumer<? super T> afterCommit);

    /**
     * Runs read-only work after every write submitted before it has committed, and before any write
     * submitted after it runs: a cut in commit order. A cursor read here (a time, a sequence number) misses
     * nothing that commits later. Costlier than {@link #read}: it queues behind the writes.
     */
    <T> T readAfterWrites(Work<T> work);

    /**
     * Whether the store can still take writes: false once it is closed or its writer died (then writes fail
     * with {@link StoreException} at once).
     */
    boolean healthy();

    /** Closes the store; later calls fail. */
    @Override
    void close();
}
