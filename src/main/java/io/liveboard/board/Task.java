package io.liveboard.board;

import java.time.Instant;

/**
 * A card. {@code position} orders the tasks of one list from 0 with no holes; {@code assigneeId} and
 * {@code description} are optional (null and "" when absent).
 */
public record Task(
        String id,
        String boardId,
        String listId,
        String title,
        String description,
        String assigneeId,
        int position,
        Instant createdAt,
        Instant updatedAt) {

    Task withContent(String newTitle, String newDescription, String newAssigneeId, Instant at) {
        return new Task(id, boardId, listId, newTitle, newDescription, newAssigneeId, position, createdAt, at);
    }

    Task withPlace(String newListId, int newPosition, Instant at) {
        return new Task(id, boardId, newListId, title, description, assigneeId, newPosition, createdAt, at);
    }
}
