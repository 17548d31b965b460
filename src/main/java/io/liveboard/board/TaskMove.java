package io.liveboard.board;

/** Where to move a task: a list of the same board and, optionally, a position in it (default: the end). */
public record TaskMove(String listId, Integer position) {
}
