package io.liveboard.support;

import io.liveboard.board.BoardStore;
import java.util.function.Consumer;

/** A store that passes everything to a real one: a test overrides what it changes (a failure, a count, a hold). */
public abstract class ForwardingBoardStore implements BoardStore {

    protected final BoardStore real;

    protected ForwardingBoardStore(BoardStore real) {
        this.real = real;
    }

    @Override
    public <T> T read(Work<T> work) {
        return real.read(work);
    }

    @Override
    public <T> T write(Work<T> work, Consumer<? super T> afterCommit) {
        return real.write(work, afterCommit);
    }

    @Override
    public <T> T readAfterWrites(Work<T> work) {
        return real.readAfterWrites(work);
    }

    @Override
    public boolean healthy() {
        return real.healthy();
    }

    @Override
    public void close() {
        real.close();
    }
}
