package io.liveboard.board;

import java.util.function.Consumer;

/**
 * Durable storage of boards, lists, tasks, users and the per-board event log.
 *
 * <p>All access goes through transactions. {@link #write} runs its work atomically: everything the work did is
 * committed together, or, if the work throws, none of it is. Writes of one board are taken one at a time: what a
 * write reads of a board is as the last write of that board left it, and no other write of the board commits in
 * between, so each board's events are numbered 1, 2, 3… without gaps in commit order. The {@code afterCommit}
 * callbacks of one board's writes run in that board's commit order, each before the next write of the board commits,
 * so whatever they hand on (events) keeps the board's order. Nothing is promised between boards: order is per board.
 * Reads see the last commit, all of it from one moment. Implementations are thread-safe.
 *
 * <p>On SQLite one writer thread commits every write (several together under load), which keeps the order across
 * boards as well. On PostgreSQL several nodes write at once, each a board's row locked from its first read of the
 * board to its commit; there "the next write of the board" in the callbacks' promise is the next on the same node:
 * another node's writes reach this one's subscribers only through the event bus between nodes.
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
     * Runs read-only work after every write of the boards it reads that began before it has committed, and before
     * any later write of those boards commits: a cut in each of those boards' commit order. A cursor read here (a
     * time, a sequence number) misses nothing of those boards that commits later. Costlier than {@link #read}: it
     * waits for the writes in progress (on SQLite, for every write queued before it).
     */
    <T> T readAfterWrites(Work<T> work);

    /**
     * Whether the store can still take writes: false once it is closed or its writer died (then writes fail
     * with {@link StoreException} at once). A database that is unreachable for a while is not this: each call
     * fails with {@link StoreException} after a short wait, and the store goes on once the database is back.
     */
    boolean healthy();

    /** Closes the store; later calls fail. */
    @Override
    void close();
}
