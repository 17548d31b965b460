package io.liveboard.board;

import java.time.Instant;
import java.util.List;

/** A whole board as of event {@code seq}: its lists in order, each with its tasks in order. */
public record BoardSnapshot(String id, String name, Instant createdAt, long seq, List<ListSnapshot> lists) {

    /** One list of a snapshot with its tasks. */
    public record ListSnapshot(String id, String boardId, String name, int position, List<Task> tasks) {
    }
}
