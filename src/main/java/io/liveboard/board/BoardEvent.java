package io.liveboard.board;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened on a board, as committed: {@code seq} is the board's event number (from 1, no
 * gaps, in commit order). {@code data} holds the event's fields ({@code task}, {@code taskId} or
 * {@code list}). {@code originId} names the connection that caused it, so that it can be spared its own
 * broadcast; it is null for changes that came without one and is not part of the stored event.
 */
public record BoardEvent(String boardId, long seq, String type, Map<String, Object> data, Instant at, String originId) {

    public static final String TASK_CREATED = "task_created";
    public static final String TASK_UPDATED = "task_updated";
    public static final String TASK_MOVED = "task_moved";
    public static final String TASK_DELETED = "task_deleted";
    public static final String LIST_CREATED = "list_created";
}
