package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.json.TaskJson;

/** Boards and their lists. */
public final class BoardRoutes {

    private final BoardService boards;

    public BoardRoutes(BoardService boards) {
        this.boards = boards;
    }

    public void register(Router router) {
        router.get("/boards", ex -> ex.json(200, boards.boards()));
        router.post("/boards", ex -> ex.json(201, boards.createBoard(TaskJson.string(ex.body(), "name"))));
        router.get("/boards/{boardId}", ex -> ex.json(200, boards.board(ex.path("boardId"))));
        router.post("/boards/{boardId}/lists", ex -> ex.json(201, boards.createList(ex.path("boardId"),
                TaskJson.string(ex.body(), "name"), ex.header(TaskRoutes.SOCKET_ID)).value()));
    }
}
