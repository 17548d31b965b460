package io.liveboard.board;

/**
 * What a command came to: applied now ({@code change} holds it and its event, which was published), or, for a
 * retry of an idempotency key already used, the first result replayed ({@code change} null: nothing was applied
 * and no event caused). {@code result} is what the caller is answered either way.
 */
public record Outcome<T>(CommandResult result, Change<T> change) {

    static <T> Outcome<T> replay(CommandResult first) {
        return new Outcome<>(first, null);
    }

    public boolean replayed() {
        return change == null;
    }
}
