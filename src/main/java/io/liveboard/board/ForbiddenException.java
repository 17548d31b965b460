package io.liveboard.board;

/** The caller may not see or change this board. The message names no board, so nothing leaks. */
public final class ForbiddenException extends BoardException {

    private final String boardId;

    public ForbiddenException(String boardId) {
        super("Forbidden");
        this.boardId = boardId;
    }

    public String boardId() {
        return boardId;
    }
}
