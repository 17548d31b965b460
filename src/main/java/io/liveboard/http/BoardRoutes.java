package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.json.TaskJson;

/** Boards and their lists; a caller sees only the boards its token allows, and creates boards only with all of them. */
public final class BoardRoutes {

    private final BoardService boards;

    public BoardRoutes(BoardService boards) {
        this.boards = boards;
    }

    public void register(Router router) {
        router.get("/boards", ex -> ex.json(200,
                boards.boards().stream().filter(board -> ex.principal().allows(board.id())).toList()));
        router.post("/boards", ex -> {
            ex.requireAllBoards();
            ex.answer(boards.createBoard(TaskJson.string(ex.body(), "name"), ex.idempotencyKey()));
        });
        router.get("/boards/{boardId}", ex -> ex.json(200, boards.board(ex.board("boardId"))));
        router.post("/boards/{boardId}/lists", ex -> ex.answer(boards.createList(ex.board("boardId"),
                TaskJson.string(ex.body(), "name"), TaskRoutes.origin(ex), ex.idempotencyKey())));
    }
}
