package io.liveboard.board;

import java.util.function.Consumer;

/**
 * Who caused a change: the connection that is spared the change's broadcast (its id, or null for nobody), and
 * what that caller is told once the change is committed. {@code onCommit} runs on the store's writer thread
 * right after the change's event was published and before any later change commits, so that whatever it hands
 * on (an acknowledgement queued behind the event) keeps commit order; it must not block.
 */
public record Origin(String connectionId, Consumer<Change<?>> onCommit) {

    /** A change nobody is to be spared, with nothing to tell. */
    public static final Origin NONE = new Origin(null, change -> { });

    /** A change caused by connection {@code connectionId} (may be null), with nothing to tell it. */
    public static Origin of(String connectionId) {
        return connectionId == null ? NONE : new Origin(connectionId, change -> { });
    }
}
