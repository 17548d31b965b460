package io.liveboard.board;

/** Input that breaks a rule: a missing title, a field of the wrong type, a negative position. */
public final class ValidationException extends BoardException {
    public ValidationException(String message) {
        super(message);
    }
}
