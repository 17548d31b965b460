package io.liveboard.board;

/** A request the domain refuses; the message is meant for the client as it is. */
public abstract class BoardException extends RuntimeException {
    protected BoardException(String message) {
        super(message, null, false, false);
    }
}
