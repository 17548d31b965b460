package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.board.ValidationException;
import io.liveboard.realtime.Presence;
import java.util.List;

/**
 * Who is viewing a board: {@code GET /boards/{boardId}/presence}, every user in order of arrival, or a page
 * of them with {@code offset} and {@code limit}; {@code total} counts them all when the page leaves some out.
 */
public final class PresenceRoutes {

    private final BoardService boards;
    private final Presence presence;

    public PresenceRoutes(BoardService boards, Presence presence) {
        this.boards = boards;
        this.presence = presence;
    }

    public void register(Router router) {
        router.get("/boards/{boardId}/presence", ex -> {
            String boardId = ex.board("boardId");
            int offset = whole(ex, "offset", 0);
            int limit = whole(ex, "limit", Integer.MAX_VALUE);
            if (limit == 0) {
                throw new ValidationException("limit must be at least 1");
            }
            boards.lastSeqs(List.of(boardId)); // 404 for a board that does not exist
            ex.json(200, presence.users(boardId, offset, limit).fields(boardId));
        });
    }

    private static int whole(HttpExchange ex, String name, int fallback) {
        Long value = ex.queryCount(name);
        return value == null ? fallback : (int) Math.min(Integer.MAX_VALUE, value);
    }
}
