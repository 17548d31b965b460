package io.liveboard.http;

import static io.liveboard.http.PollAnswers.encode;
import static io.liveboard.http.PollAnswers.events;
import static io.liveboard.http.PollAnswers.updates;

import io.liveboard.board.BoardService;
import io.liveboard.board.Catchup;
import io.liveboard.board.TaskUpdates;
import io.liveboard.board.ValidationException;
import io.liveboard.realtime.LongPolls;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Wake;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The polling fallback. {@code /updates} answers at once; {@code /poll} holds the request until the board
 * changes (then answers what changed since {@code since}, or since the poll began) or until the timeout
 * ({@code timeout: true}). A poll whose {@code since} already has changes answers at once.
 *
 * <p>With {@code after=n} instead of {@code since}, both answer with the board's events after number
 * {@code n} (at most {@link #MAX_EVENTS}, then {@code more: true}), or a {@code resync} field when {@code n}
 * cannot be served: the same cursor as WebSocket {@code since} and SSE {@code Last-Event-ID}.
 *
 * <p>A waiting poll that an event wakes answers from the fan-out round that brought the event ({@link Wake}):
 * with {@code after=n}, the round's events after {@code n}, from memory (from the store only when the round does
 * not reach back to {@code n + 1}); by time, with a read of the store. Polls of a board woken by the same round
 * with the same cursor share that answer, made and encoded once: a time read is made once for them all.
 */
public final class PollRoutes {

    static final int MAX_EVENTS = 1000;

    /** The answer shared by the polls a round wakes after event number {@code seq}. */
    private record After(long seq) {
    }

    /** The answer shared by the polls a round wakes that look for changes since {@code time}. */
    private record Since(Instant time) {
    }

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
                ex.json(200, updates(boards.updates(ex.board("boardId"), ex.queryInstant("since"))));
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
        }, wake -> wake.answer(new After(after), () -> {
            List<OutboundMessage> missed = wake.after(after);
            if (missed != null && missed.size() <= MAX_EVENTS) {
                return encode(events(boardId, current.epoch(), missed));
            }
            // the round does not reach back to the cursor; a waiting poll's epoch is the store's or none, alike here
            return encode(events(boards.catchUp(boardId, after, epoch, MAX_EVENTS)));
        }));
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
            ex.json(200, updates(current));
            return;
        }
        waiter.since(current.seq());
        answerWhenDone(ex, waiter, "GET /boards/" + boardId + "/poll", () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", List.of());
            body.put("timeout", true);
            body.put("timestamp", boards.now());
            return body;
        }, wake -> wake.answer(new Since(from), () -> encode(updates(boards.updates(boardId, from)))));
    }

    /**
     * Answers the poll once its waiter is done: {@code woken}'s answer to the round that woke it, or
     * {@code timedOut} on the timeout.
     */
    private void answerWhenDone(HttpExchange ex, LongPolls.Waiter waiter, String what,
            Supplier<Map<String, Object>> timedOut, Function<Wake, byte[]> woken) {
        waiter.done().whenComplete((wake, failure) -> {
            if (failure == null) {
                // completed on the server's pool, with other polls the round woke (or by the request itself)
                answer(ex, what, () -> ex.encodedJson(200, woken.apply(wake)));
            } else {
                // the timeout fires on the JDK's timer thread: answer from the server's pool instead
                executor.execute(() -> answer(ex, what, () -> ex.json(200, timedOut.get())));
            }
        });
    }

    /** Runs {@code answer}; if it fails (the store cannot be read), answers the error instead. */
    private static void answer(HttpExchange ex, String what, Runnable answer) {
        try {
            answer.run();
        } catch (RuntimeException e) {
            ErrorMapper.Failure mapped = ErrorMapper.map(e, what);
            ex.error(mapped.status(), mapped.message());
        }
    }
}
