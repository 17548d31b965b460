package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.realtime.Presence;
import java.util.LinkedHashMap;
import java.util.Map;

/** Who is viewing a board: {@code GET /boards/{boardId}/presence}. */
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
            boards.lastSeqs(java.util.List.of(boardId)); // 404 for a board that does not exist
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("boardId", boardId);
            body.put("users", presence.users(boardId));
            ex.json(200, body);
        });
    }
}
