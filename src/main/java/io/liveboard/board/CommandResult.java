package io.liveboard.board;

import java.time.Instant;

/**
 * What a change came to, as its caller is answered: kept under the change's {@link IdempotencyKey} (in the same
 * transaction as the change), so that a retry on either transport gets the same answer.
 *
 * @param fingerprint the {@link Command#fingerprint()} of the command (null for a change without a key)
 * @param status      the HTTP status of the answer ({@link Command.Kind#status()})
 * @param boardId     the board of the change's event (null when it caused none: a board's creation)
 * @param seq         the number of the change's event (null when it caused none)
 * @param value       the result the caller is shown: the task, list or board, or the deleted task's id. Just
 *                    made, a domain record; read back from the store, the same JSON as maps, lists and strings
 * @param createdAt   when the change was applied; a kept result lives {@link IdempotencyKey#LIFETIME} from then
 */
public record CommandResult(String fingerprint, int status, String boardId, Long seq, Object value,
        Instant createdAt) {

    /** The result of {@code change}, applied at {@code now}. */
    static CommandResult of(Command command, String fingerprint, Change<?> change, Instant now) {
        BoardEvent event = change.event();
        return new CommandResult(fingerprint, command.kind().status(), event == null ? null : event.boardId(),
                event == null ? null : event.seq(), change.value(), now);
    }

    /** Whether a key holding this result is still remembered at {@code now}. */
    public boolean liveAt(Instant now) {
        return now.isBefore(createdAt.plus(IdempotencyKey.LIFETIME));
    }
}
