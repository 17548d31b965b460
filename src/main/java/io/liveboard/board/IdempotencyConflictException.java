package io.liveboard.board;

/** An idempotency key sent again with another command than the one it was first used for. */
public final class IdempotencyConflictException extends BoardException {
    public IdempotencyConflictException(IdempotencyKey key) {
        super(key.name() + " was already used for a different request");
    }
}
