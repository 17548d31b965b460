package io.liveboard.auth;

import io.liveboard.board.Access;
import io.liveboard.board.IdempotencyKey;
import java.time.Instant;
import java.util.Set;

/**
 * A caller: who it is, the boards it may see and change ({@code boards} null: all of them), when its token
 * expires ({@code expiresAt} null: never), and whether it is an anonymous {@code guest} (auth off).
 */
public record Principal(User user, Set<String> boards, Instant expiresAt, boolean guest) implements Access {

    /** A guest of one connection, allowed everywhere, never expiring: every caller when auth is off. */
    public static Principal guest(String connectionId) {
        return new Principal(User.guest(connectionId), null, null, true);
    }

    /** The user of a connection: this caller's, or, for a guest, the guest of that connection. */
    public User userOf(String connectionId) {
        return guest ? User.guest(connectionId) : user;
    }

    /**
     * Whose idempotency keys this caller's are: the user's id; with authentication off, one scope shared by every
     * caller (guests are not told apart across connections, and a retry may come on another one).
     */
    public String idempotencyScope() {
        return guest ? IdempotencyKey.SHARED_SCOPE : user.userId();
    }

    public boolean allBoards() {
        return boards == null;
    }

    @Override
    public boolean allows(String boardId) {
        return boards == null || boards.contains(boardId);
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
