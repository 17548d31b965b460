package io.liveboard.sse;

import io.liveboard.auth.AuthException;
import io.liveboard.board.BoardIds;
import io.liveboard.board.BoardService;
import io.liveboard.board.Catchup;
import io.liveboard.board.ValidationException;
import io.liveboard.http.HttpException;
import io.liveboard.http.HttpExchange;
import io.liveboard.http.OriginPolicy;
import io.liveboard.http.Router;
import io.liveboard.json.Json;
import io.liveboard.realtime.DeliveryMetrics;
import io.liveboard.realtime.Fanout;
import io.liveboard.realtime.Presence;
import io.liveboard.realtime.RoomRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Server-Sent Events: {@code /boards/{boardId}/events} for one board, {@code /events?boards=a,b} for
 * several on one connection. The stream opens with {@code retry:} and a {@code connected} message, then
 * carries the boards' events; heartbeats come from the shared scheduler. A client that sends the last id it
 * saw ({@code Last-Event-ID}, or {@code ?lastEventId=} for clients that cannot set headers) gets the events
 * after it first (or a {@code resync}), then the live ones; see {@link SseCursor}.
 */
public final class SseEndpoint {

    private final BoardService boards;
    private final RoomRegistry streams;
    private final Fanout fanout;
    private final Presence presence;
    private final OriginPolicy origins;
    private final ScheduledExecutorService scheduler;
    private final Duration retry;
    private final long maxQueuedBytes;
    private final DeliveryMetrics metrics;

    public SseEndpoint(BoardService boards, RoomRegistry streams, Fanout fanout, Presence presence,
            OriginPolicy origins, ScheduledExecutorService scheduler, Duration retry,
            long maxQueuedBytes, DeliveryMetrics metrics) {
        this.boards = boards;
        this.streams = streams;
        this.fanout = fanout;
        this.presence = presence;
        this.origins = origins;
        this.scheduler = scheduler;
        this.retry = retry;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
    }

    public void register(Router router) {
        router.get("/boards/{boardId}/events", ex -> open(ex, List.of(ex.board("boardId"))));
        router.get("/events", ex -> open(ex, boardIds(ex).stream().map(ex::allow).toList()));
    }

    private static List<String> boardIds(HttpExchange ex) {
        String param = ex.query("boards");
        List<String> ids = param == null ? List.of()
                : Arrays.stream(param.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(BoardIds::check)
                .distinct().toList();
        if (ids.isEmpty()) {
            throw new ValidationException("boards is required: /events?boards=board-1,board-2");
        }
        return ids;
    }

    private void open(HttpExchange ex, List<String> boardIds) {
        if (!origins.allows(ex.header("Origin"))) {
            throw new HttpException(403, "Origin not allowed");
        }
        String lastEventId = ex.header("Last-Event-ID");
        SseCursor cursor = SseCursor.parse(lastEventId != null ? lastEventId : ex.query("lastEventId"), boardIds);
        List<Catchup> starts = new ArrayList<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        for (String boardId : boardIds) {
            Long after = cursor.positions().get(boardId);
            Catchup start = boards.catchUp(boardId, after, cursor.epoch(), Integer.MAX_VALUE);
            starts.add(start);
            positions.put(boardId, after != null && start.resync() == null ? after : start.seq());
        }
        String epoch = starts.get(0).epoch();
        ex.response().setStatus(200);
        ex.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        ex.response().getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        ex.response().getHeaders().put("X-Accel-Buffering", "no");
        if (HttpMethod.HEAD.is(ex.request().getMethod())) {
            ex.callback().succeeded(); // what a GET would start with, and no stream
            return;
        }
        Map<String, Object> connected = new LinkedHashMap<>();
        connected.put("type", "connected");
        connected.put("boards", boardIds);
        connected.put("epoch", epoch);
        String opening = "retry: " + retry.toMillis() + "\n\ndata: " + Json.write(connected) + "\n\n";
        SseConnection[] self = new SseConnection[1];
        String id = UUID.randomUUID().toString();
        SseConnection connection = new SseConnection(id, ex.principal().userOf(id), ex.response(), ex.callback(),
                maxQueuedBytes, epoch, positions, opening, metrics, () -> ended(self[0]));
        self[0] = connection;
        // "connected" goes out only once the stream is in all its rooms, with their backlogs queued behind it
        streams.add(connection);
        for (Catchup start : starts) {
            fanout.join(streams, connection, start, (membership, seq, backlog) -> {
                if (membership.changed()) {
                    presence.arrived(start.boardId(), connection);
                }
                connection.send(backlog);
            });
        }
        fanout.run(connection::start);
        if (ex.request().getConnectionMetaData().getHttpVersion().getVersion() <= HttpVersion.HTTP_1_1.getVersion()) {
            PeerCloseWatch.start(ex.request().getConnectionMetaData().getConnection().getEndPoint(),
                    connection::peerClosed);
        }
        Instant expiresAt = ex.principal().expiresAt();
        if (expiresAt != null) {
            long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis());
            try {
                scheduler.schedule(() -> connection.close(AuthException.CLOSE_CODE, AuthException.EXPIRED), delay,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                connection.close(1001, "server shutting down");
            }
        }
    }

    private void ended(SseConnection connection) {
        List<String> left = streams.remove(connection);
        fanout.run(() -> left.forEach(boardId -> presence.departed(boardId, connection)));
    }
}