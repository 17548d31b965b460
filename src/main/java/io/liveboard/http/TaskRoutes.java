package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.board.Origin;
import io.liveboard.json.TaskJson;

/**
 * Tasks. A change may name the WebSocket that made it ({@code X-Socket-Id}): that socket is not sent its echo; it
 * may carry an {@code Idempotency-Key}, and is answered with its event's {@code Liveboard-Seq}.
 */
public final class TaskRoutes {

    static final String SOCKET_ID = "X-Socket-Id";

    private final BoardService boards;

    public TaskRoutes(BoardService boards) {
        this.boards = boards;
    }

    public void register(Router router) {
        router.post("/tasks", ex -> ex.answer(boards.createTask(TaskJson.newTask(ex.body()), origin(ex),
                ex.principal(), ex.idempotencyKey())));
        router.get("/tasks/{taskId}", ex -> ex.json(200, boards.task(ex.path("taskId"), ex.principal())));
        router.patch("/tasks/{taskId}", ex -> ex.answer(boards.updateTask(ex.path("taskId"),
                TaskJson.patch(ex.body()), origin(ex), ex.principal(), ex.idempotencyKey())));
        router.patch("/tasks/{taskId}/move", ex -> ex.answer(boards.moveTask(ex.path("taskId"),
                TaskJson.move(ex.body()), origin(ex), ex.principal(), ex.idempotencyKey())));
        router.delete("/tasks/{taskId}", ex -> ex.answer(boards.deleteTask(ex.path("taskId"), origin(ex),
                ex.principal(), ex.idempotencyKey())));
    }

    /** The socket the request names as its maker, spared the broadcast. */
    static Origin origin(HttpExchange ex) {
        return Origin.of(ex.header(SOCKET_ID));
    }
}
