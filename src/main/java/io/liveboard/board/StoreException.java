package io.liveboard.board;

/** The store failed (I/O, a broken database); nothing of the failed transaction was kept. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
