package io.liveboard.board;

/** A column of a board ("To Do", "In Progress", ...), ordered by {@code position} from 0. */
public record TaskList(String id, String boardId, String name, int position) {
}
