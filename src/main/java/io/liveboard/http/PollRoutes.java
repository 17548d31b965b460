package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.board.TaskUpdates;
import io.liveboard.realtime.LongPolls;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The polling fallback. {@code /updates} answers at once; {@code /poll} holds the request until the board
 * changes (then answers what changed since {@code since}, or since the poll began) or until the timeout
 * ({@code timeout: true}). A poll whose {@code since} already has changes answers at once.
 */
public final class PollRoutes {

    private final BoardService boards;
    private final LongPolls polls;
    private final Duration timeout;
    private final Executor executor;

    public PollRoutes(BoardService boards, LongPolls polls, Duration timeout, Executor executor) {
        this.boards = boards;
        this.polls = polls;
        this.timeout = timeout;
        this.executor = executor;
    }

    public void register(Router router) {
        router.get("/boards/{boardId}/updates",
                ex -> ex.json(200, body(boards.updates(ex.path("boardId"), ex.queryInstant("since")))));
        router.get("/boards/{boardId}/poll", this::poll);
    }

    private void poll(HttpExchange ex) {
        String boardId = ex.path("boardId");
        Instant since = ex.queryInstant("since");
        Instant from = since != null ? since : boards.now();
        // wait first, then look: a change between the two cannot slip through; the look tells which event
        // numbers it already covers, so that only a later event wakes the poll
        LongPolls.Waiter waiter = polls.await(boardId, timeout);
        TaskUpdates current;
        try {
            current = boards.updates(boardId, from);
        } catch (RuntimeException e) {
            waiter.done().cancel(false);
            throw e;
        }
        if (since != null && (!current.data().isEmpty() || !current.deleted().isEmpty())) {
            waiter.done().cancel(false);
            ex.json(200, body(current));
            return;
        }
        waiter.since(current.seq());
        // the waiter completes on the fan-out's thread: answer from the server's pool instead
        waiter.done().whenCompleteAsync((changed, failure) -> {
            try {
                if (failure != null) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("data", List.of());
                    body.put("timeout", true);
                    body.put("timestamp", boards.now());
                    ex.json(200, body);
                } else {
                    ex.json(200, body(boards.updates(boardId, from)));
                }
            } catch (RuntimeException e) {
                ErrorMapper.Failure mapped = ErrorMapper.map(e, "GET /boards/" + boardId + "/poll");
                ex.error(mapped.status(), mapped.message());
            }
        }, executor);
    }

    private static Map<String, Object> body(TaskUpdates updates) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", updates.data());
        body.put("deleted", updates.deleted());
        body.put("timestamp", updates.timestamp());
        return body;
    }
}
