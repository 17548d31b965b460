package io.liveboard.board;

/** A board, list, task or user that does not exist. */
public final class NotFoundException extends BoardException {
    public NotFoundException(String what, String id) {
        super(what + " not found: " + id);
    }
}
