package io.liveboard.http;

import io.liveboard.board.BoardService;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.Catchup;
import io.liveboard.board.TaskUpdates;
import io.liveboard.board.ValidationException;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.LongPolls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The polling fallback. {@code /updates} answers at once; {@code /poll} holds the request until the board
 * changes (then answers what changed since {@code since}, or since the poll began) or until the timeout
 * ({@code timeout: true}). A poll whose {@code since} already has changes answers at once.
 *
 * <p>With {@code after=n} instead of {@code since}, both answer with the board's events after number
 * {@code n} (at most {@link #MAX_EVENTS}, then {@code more: true}), or a {@code resync} field when {@code n}
 * cannot be served: the same cursor as WebSocket {@code since} and SSE {@code Last-Event-ID}.
 */
public final class PollRoutes {

    static final int MAX_EVENTS = 1000;

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
        router.get("/boards/{boardId}/updates", ex -> {
            Long after = after(ex);
            if (after != null) {
                ex.json(200, events(boards.catchUp(ex.board("boardId"), after, ex.query("epoch"), MAX_EVENTS)));
            } else {
                ex.json(200, body(boards.updates(ex.board("boardId"), ex.queryInstant("since"))));
            }
        });
        router.get("/boards/{boardId}/poll", ex -> {
            Long after = after(ex);
            if (after != null) {
                pollEvents(ex, after);
            } else {
                poll(ex);
            }
        });
    }

    /** {@code after}, the event-number cursor; it and the time cursor {@code since} exclude each other. */
    private static Long after(HttpExchange ex) {
        Long after = ex.querySeq("after");
        if (after != null && ex.query("since") != null) {
            throw new ValidationException("Use either since (a time) or after (an event number), not both");
        }
        return after;
    }

    private void pollEvents(HttpExchange ex, long after) {
        String boardId = ex.board("boardId");
        String epoch = ex.query("epoch");
        LongPolls.Waiter waiter = polls.await(boardId, timeout);
        Catchup current;
        try {
            current = boards.catchUp(boardId, after, epoch, MAX_EVENTS);
        } catch (RuntimeException e) {
            waiter.done().cancel(false);
            throw e;
        }
        if (!current.events().isEmpty() || current.resync() != null) {
            waiter.done().cancel(false);
            ex.json(200, events(current));
            return;
        }
        waiter.since(current.seq());
        answerWhenDone(ex, waiter, "GET /boards/" + boardId + "/poll", () -> {
            Map<String, Object> body = events(current);
            body.put("timeout", true);
            return body;
        }, () -> events(boards.catchUp(boardId, after, epoch, MAX_EVENTS)));
    }

    private static Map<String, Object> events(Catchup catchup) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("boardId", catchup.boardId());
        body.put("seq", catchup.seq());
        body.put("epoch", catchup.epoch());
        List<Map<String, Object>> events = new ArrayList<>(catchup.events().size());
        for (BoardEvent event : catchup.events()) {
            events.add(OutboundMessage.wire(event));
        }
        body.put("events", events);
        if (catchup.more()) {
            body.put("more", true);
        }
        if (catchup.resync() != null) {
            body.put("resync", OutboundMessage.resync(catchup));
        }
        return body;
    }

    private void poll(HttpExchange ex) {
        String boardId = ex.board("boardId");
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
        answerWhenDone(ex, waiter, "GET /boards/" + boardId + "/poll", () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", List.of());
            body.put("timeout", true);
            body.put("timestamp", boards.now());
            return body;
        }, () -> body(boards.updates(boardId, from)));
    }

    /** Answers the poll once its waiter is done: {@code changed} on an event, {@code timedOut} on the timeout. */
    private void answerWhenDone(HttpExchange ex, LongPolls.Waiter waiter, String what,
            Supplier<Map<String, Object>> timedOut, Supplier<Map<String, Object>> changed) {
        // the waiter completes on the fan-out's thread: answer from the server's pool instead
        waiter.done().whenCompleteAsync((ok, failure) -> {
            try {
                ex.json(200, failure != null ? timedOut.get() : changed.get());
            } catch (RuntimeException e) {
                ErrorMapper.Failure mapped = ErrorMapper.map(e, what);
                ex.error(mapped.status(), mapped.message());
            }
        }, executor);
    }

    private static Map<String, Object> body(TaskUpdates updates) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", updates.data());
        body.put("deleted", updates.deleted());
        body.put("timestamp", updates.timestamp());
        if (updates.resync() != null) {
            Map<String, Object> resync = new LinkedHashMap<>();
            resync.put("type", "resync");
            resync.put("boardId", updates.resync().id());
            resync.put("seq", updates.resync().seq());
            resync.put("board", updates.resync());
            body.put("resync", resync);
        }
        return body;
    }
}
