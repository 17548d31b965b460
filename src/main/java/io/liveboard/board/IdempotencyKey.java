package io.liveboard.board;

import java.time.Duration;

/**
 * A name a client gave one change ({@code Idempotency-Key} over REST, {@code idempotencyKey} over the
 * WebSocket), so that the change is applied once however often it is sent: a retry with the same key in the same
 * scope gets the first result again. Keys are kept {@link #LIFETIME} from their first use, in the database.
 *
 * @param scope whose key it is: a user id, or {@code ""} for everyone when authentication is off (then keys must
 *              be unique across clients, as UUIDs are)
 * @param value the key as the client sent it: 1 to {@value #MAX_LENGTH} printable ASCII characters
 * @param name  what the client called it ({@code Idempotency-Key}, {@code idempotencyKey}), for messages
 */
public record IdempotencyKey(String scope, String value, String name) {

    /** How long a key is remembered from its first use; a retry later than that is applied as a new change. */
    public static final Duration LIFETIME = Duration.ofHours(24);
    public static final int MAX_LENGTH = 200;
    /** The scope every caller shares when authentication is off (no user id is empty). */
    public static final String SHARED_SCOPE = "";

    /**
     * The key {@code value} (null when the client sent something that is not text) in {@code scope}.
     *
     * @throws ValidationException {@code <name> must be 1-200 printable ASCII characters}
     */
    public static IdempotencyKey of(String scope, String value, String name) {
        if (!wellFormed(value)) {
            throw new ValidationException(name + " must be 1-" + MAX_LENGTH + " printable ASCII characters");
        }
        return new IdempotencyKey(scope, value, name);
    }

    private static boolean wellFormed(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
