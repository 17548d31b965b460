package io.liveboard.board;

/** Which boards a caller may see and change. Implementations are immutable and thread-safe. */
@FunctionalInterface
public interface Access {

    /** Every board: what a caller gets when authentication is off. */
    Access ALL = boardId -> true;

    boolean allows(String boardId);

    /** Throws {@link ForbiddenException} unless the board is allowed. */
    default void check(String boardId) {
        if (!allows(boardId)) {
            throw new ForbiddenException(boardId);
        }
    }
}
