package io.liveboard.board;

/** What a client asks for when it creates a task; {@code description} and {@code assigneeId} may be null. */
public record NewTask(String listId, String title, String description, String assigneeId) {
}
