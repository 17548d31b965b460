package io.liveboard.board;

/** The result of a change together with the event it caused (already committed and published). */
public record Change<T>(T value, BoardEvent event) {
}
