package io.liveboard.board;

/**
 * The result of a change together with the event it caused (already committed and published); {@code event} is
 * null for a change that causes none (a board's creation).
 */
public record Change<T>(T value, BoardEvent event) {
}
