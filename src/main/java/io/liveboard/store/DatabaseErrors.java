package io.liveboard.store;

import io.liveboard.board.StoreException;

/**
 * What a store's caller is told when a call fails: unchecked exceptions as they are (the domain's, the store's
 * own, and bugs, which must not pass for a storage failure), a checked one (the database's) as a
 * {@link StoreException} naming the database.
 */
final class DatabaseErrors {

    private DatabaseErrors() {
    }

    static RuntimeException failure(Exception cause, Object database) {
        return cause instanceof RuntimeException unchecked ? unchecked : databaseError(cause, database);
    }

    static StoreException databaseError(Exception cause, Object database) {
        return new StoreException("Database error on " + database + ": " + cause.getMessage(), cause);
    }
}
