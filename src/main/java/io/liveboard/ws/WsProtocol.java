package io.liveboard.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthException;
import io.liveboard.auth.Principal;
import io.liveboard.board.BoardIds;
import io.liveboard.board.BoardService;
import io.liveboard.board.Catchup;
import io.liveboard.board.CommandResult;
import io.liveboard.board.IdempotencyKey;
import io.liveboard.board.Origin;
import io.liveboard.board.Outcome;
import io.liveboard.board.ValidationException;
import io.liveboard.http.ErrorMapper;
import io.liveboard.http.Gate;
import io.liveboard.json.Json;
import io.liveboard.json.TaskJson;
import io.liveboard.realtime.Connection;
import io.liveboard.realtime.Fanout;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.Presence;
import io.liveboard.realtime.RoomRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket message protocol (README, "WebSocket protocol"): authentication (a token on the upgrade or
 * a first {@code auth} message, when auth is on), rooms ({@code join}, with {@code since} to resume;
 * {@code leave}), presence and {@code typing}, {@code ping}, and task commands answered with an {@code ack}
 * while the rest of the room gets the broadcast; a command retried with its {@code idempotencyKey} gets the
 * first result's {@code ack} again ({@code "replayed":true}) and causes nothing. A bad message gets
 * {@code {"error": …}} and the socket stays open; an unauthenticated socket is closed with 4001, a flooding one
 * with 1008. Room changes and their announcements run on the fan-out thread, one at a time, so that an announced
 * count and the members it reaches are of the same moment, and a joiner's replay meets the live events without a
 * seam.
 */
public final class WsProtocol {

    static final int UNAUTHORIZED = AuthException.CLOSE_CODE;
    static final int POLICY_VIOLATION = 1008;
    static final Duration AUTH_WINDOW = Duration.ofSeconds(5);
    static final int MAX_ROOMS = 100;

    private final BoardService boards;
    private final RoomRegistry rooms;
    private final Fanout fanout;
    private final Presence presence;
    private final Gate gate;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;

    public WsProtocol(BoardService boards, RoomRegistry rooms, Fanout fanout, Presence presence, Gate gate,
            ScheduledExecutorService scheduler, Clock clock) {
        this.boards = boards;
        this.rooms = rooms;
        this.fanout = fanout;
        this.presence = presence;
        this.gate = gate;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** A new socket, with the token its upgrade carried (or null). */
    void opened(WsConnection connection, String token) {
        rooms.add(connection);
        Map<String, Object> connected = new LinkedHashMap<>();
        connected.put("socketId", connection.id());
        if (!gate.required()) {
            connection.authenticated(Principal.guest(connection.id()));
        } else if (token != null) {
            try {
                authenticate(connection, gate.verify(token));
            } catch (AuthException e) {
                unauthorized(connection, e.getMessage());
                return;
            }
            connected.put("user", connection.user());
        } else {
            schedule(AUTH_WINDOW, () -> {
                if (connection.principal() == null && connection.isOpen()) {
                    unauthorized(connection, AuthException.UNAUTHORIZED);
                }
            });
        }
        connection.send(OutboundMessage.of("connected", null, connected));
    }

    void closed(Connection connection) {
        fanout.run(() -> {
            for (String boardId : rooms.remove(connection)) {
                presence.departed(boardId, connection);
            }
        });
    }

    void refuse(Connection connection, String error) {
        connection.send(error(error, null));
    }

    void received(WsConnection connection, String text) {
        if (!connection.isOpen()) {
            return; // closing (a flood, a slow consumer): what it still sends is not read
        }
        switch (connection.rate().next()) {
            case PASS -> { }
            case REFUSE -> {
                refuse(connection, "Rate limit exceeded");
                return;
            }
            case CUT_OFF -> {
                // behind the acks of the commands that went through, which queue on the fan-out thread
                fanout.run(() -> connection.close(POLICY_VIOLATION, "rate limit"));
                return;
            }
            case IGNORE -> {
                return;
            }
        }
        JsonNode message;
        try {
            message = Json.parse(text);
        } catch (JsonProcessingException e) {
            message = null;
        }
        if (connection.principal() == null && (message == null || !message.isObject())) {
            unauthorized(connection, AuthException.UNAUTHORIZED); // anything but an auth message comes too early
            return;
        }
        if (message == null) {
            refuse(connection, "Invalid JSON");
            return;
        }
        if (!message.isObject()) {
            refuse(connection, "Message must be a JSON object");
            return;
        }
        JsonNode ref = message.get("ref");
        try {
            Json.checkText(message);
            if (connection.principal() == null || "auth".equals(message.path("type").asText())) {
                authMessage(connection, message);
                return;
            }
            dispatch(connection, connection.principal(), message, ref);
        } catch (RuntimeException e) {
            String type = message.path("type").asText("");
            connection.send(error(ErrorMapper.map(e, "WebSocket " + connection.id() + " " + type).message(), ref));
        }
    }

    /**
     * The first message of a socket that came without a token must be {@code auth}; a later {@code auth}
     * renews the token (of the same user) before it expires.
     */
    private void authMessage(WsConnection connection, JsonNode message) {
        Principal current = connection.principal();
        if (!"auth".equals(message.path("type").asText())) {
            unauthorized(connection, AuthException.UNAUTHORIZED);
            return;
        }
        if (!gate.required()) {
            connection.send(error("Authentication is off: no auth needed", null));
            return;
        }
        JsonNode token = message.get("token");
        Principal principal;
        try {
            principal = gate.verify(token != null && token.isTextual() ? token.textValue() : null);
        } catch (AuthException e) {
            if (current == null) {
                unauthorized(connection, e.getMessage());
            } else {
                connection.send(error(e.getMessage(), null));
            }
            return;
        }
        if (current != null && !current.user().userId().equals(principal.user().userId())) {
            connection.send(error("The token is for another user", null));
            return;
        }
        authenticate(connection, principal);
        OutboundMessage authenticated = OutboundMessage.of("authenticated", null, Map.of("user", principal.user()));
        if (current == null) {
            connection.send(authenticated);
        } else {
            // a renewal answers only once the rooms its token dropped are left, so that no event of theirs
            // committed after the answer can still reach the socket
            fanout.run(() -> {
                leaveForbidden(connection, principal);
                connection.send(authenticated);
            });
        }
    }

    /** After a renewal with fewer boards: leaves the rooms the new token does not allow (on the fan-out thread). */
    private void leaveForbidden(Connection connection, Principal principal) {
        for (String boardId : rooms.roomIdsOf(connection)) {
            if (!principal.allows(boardId) && rooms.leave(boardId, connection).changed()) {
                connection.send(OutboundMessage.of("left", boardId, Map.of("boardId", boardId)));
                presence.departed(boardId, connection);
            }
        }
    }

    /** Takes the principal for the socket and closes the socket when its token expires. */
    private void authenticate(WsConnection connection, Principal principal) {
        connection.authenticated(principal);
        if (principal.expiresAt() != null) {
            schedule(Duration.between(clock.instant(), principal.expiresAt()), () -> {
                if (connection.principal() == principal && connection.isOpen()) {
                    connection.close(UNAUTHORIZED, AuthException.EXPIRED);
                }
            });
        }
    }

    private void unauthorized(Connection connection, String reason) {
        connection.send(error(reason, null));
        connection.close(UNAUTHORIZED, reason);
    }

    private void schedule(Duration delay, Runnable task) {
        try {
            scheduler.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: every socket is being closed anyway
        }
    }

    private void dispatch(Connection connection, Principal principal, JsonNode message, JsonNode ref) {
        JsonNode typeNode = message.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            connection.send(error("type is required", ref));
            return;
        }
        String type = typeNode.textValue();
        switch (type) {
            case "join" -> join(connection, principal, boardId(message), since(message),
                    TaskJson.string(message, "epoch"));
            case "leave" -> leave(connection, boardId(message));
            case "typing" -> typing(connection, principal, boardId(message), true, typedTask(message), ref);
            case "stop_typing" -> typing(connection, principal, boardId(message), false, null, ref);
            case "ping" -> connection.send(OutboundMessage.of("pong", null, Map.of()));
            case "create_task" -> ackReplay(connection, ref, "task", boards.createTask(TaskJson.newTask(message),
                    acked(connection, ref, "task"), principal, idempotencyKey(message, principal)));
            case "update_task" -> ackReplay(connection, ref, "task", boards.updateTask(taskId(message),
                    TaskJson.patch(message), acked(connection, ref, "task"), principal,
                    idempotencyKey(message, principal)));
            case "move_task" -> ackReplay(connection, ref, "task", boards.moveTask(taskId(message),
                    TaskJson.move(message), acked(connection, ref, "task"), principal,
                    idempotencyKey(message, principal)));
            case "delete_task" -> ackReplay(connection, ref, "taskId", boards.deleteTask(taskId(message),
                    acked(connection, ref, "taskId"), principal, idempotencyKey(message, principal)));
            default -> connection.send(error("Unknown type: " + type, ref));
        }
    }

    /** Joins live ({@code since} null) or resuming after event {@code since}; see {@link Fanout#join}. */
    private void join(Connection connection, Principal principal, String boardId, Long since, String epoch) {
        principal.check(boardId);
        if (!rooms.isMember(boardId, connection) && rooms.roomsOf(connection) >= MAX_ROOMS) {
            throw new ValidationException("Too many rooms (at most " + MAX_ROOMS + ")");
        }
        Catchup start = boards.catchUp(boardId, since, epoch, Integer.MAX_VALUE);
        fanout.join(rooms, connection, start, (membership, seq, backlog) -> {
            if (membership.changed()) {
                presence.arrived(boardId, connection);
            }
            Map<String, Object> joined = new LinkedHashMap<>();
            joined.put("boardId", boardId);
            joined.put("viewers", presence.viewers(boardId)); // every node's sessions
            joined.put("seq", seq);
            joined.put("epoch", start.epoch());
            List<OutboundMessage> messages = new ArrayList<>(backlog.size() + 2);
            messages.add(OutboundMessage.of("joined", boardId, joined));
            if (membership.changed()) {
                messages.add(OutboundMessage.of("presence", boardId, presence.firstPage(boardId).fields(boardId)));
            }
            messages.addAll(backlog);
            connection.send(messages);
        });
    }

    private void leave(Connection connection, String boardId) {
        fanout.run(() -> {
            RoomRegistry.Membership membership = rooms.leave(boardId, connection);
            connection.send(OutboundMessage.of("left", boardId, Map.of("boardId", boardId)));
            if (membership.changed()) {
                presence.departed(boardId, connection);
            }
        });
    }

    private void typing(Connection connection, Principal principal, String boardId, boolean on, String taskId,
            JsonNode ref) {
        principal.check(boardId);
        fanout.run(() -> {
            if (!rooms.isMember(boardId, connection) || !presence.typing(boardId, connection, on, taskId)) {
                connection.send(error("Join the board first", ref));
            }
        });
    }

    /**
     * The connection as the origin of a command: spared the broadcast, it gets an {@code ack} instead, with the
     * event's number (where it now is) and {@code field} = the change's value. The ack is queued on the fan-out
     * thread right behind the event, before any later event is (on several nodes, behind the other nodes' earlier
     * events too), so the socket gets a board's events and acks in {@code seq} order.
     */
    private Origin acked(Connection connection, JsonNode ref, String field) {
        return new Origin(connection.id(), change -> {
            OutboundMessage ack = ack(ref, change.event().boardId(), change.event().seq(), field, change.value(),
                    false);
            fanout.runAfter(change.event().boardId(), change.event().seq(), () -> connection.send(ack));
        });
    }

    /**
     * Acks a command that was a retry of a key already used (an applied one was acked on commit, by its origin):
     * the {@code ack} of the first result, with this message's {@code ref} and {@code "replayed":true}. Queued on
     * the fan-out thread like any ack, so behind the first result's event.
     */
    private void ackReplay(Connection connection, JsonNode ref, String field, Outcome<?> outcome) {
        if (outcome.replayed()) {
            CommandResult first = outcome.result();
            OutboundMessage ack = ack(ref, first.boardId(), first.seq(), field, first.value(), true);
            fanout.run(() -> connection.send(ack));
        }
    }

    private static OutboundMessage ack(JsonNode ref, String boardId, long seq, String field, Object value,
            boolean replayed) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (ref != null) {
            fields.put("ref", ref);
        }
        fields.put("boardId", boardId);
        fields.put("seq", seq);
        fields.put(field, value);
        if (replayed) {
            fields.put("replayed", true);
        }
        return OutboundMessage.of("ack", boardId, fields);
    }

    /** The command's optional {@code idempotencyKey} in the caller's scope, or null. */
    private static IdempotencyKey idempotencyKey(JsonNode message, Principal principal) {
        JsonNode key = message.get("idempotencyKey");
        if (key == null || key.isNull()) {
            return null;
        }
        return IdempotencyKey.of(principal.idempotencyScope(), key.isTextual() ? key.textValue() : null,
                "idempotencyKey");
    }

    private static OutboundMessage error(String message, JsonNode ref) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (ref != null) {
            body.put("ref", ref);
        }
        return new OutboundMessage("error", null, 0, Json.write(body));
    }

    private static String boardId(JsonNode message) {
        return BoardIds.check(required(message, "boardId"));
    }

    /**
     * The optional {@code taskId} of {@code typing}: the card being edited, passed on to the others as it is (it
     * is a hint for their pages, not checked against the board), so only its shape is checked.
     */
    private static String typedTask(JsonNode message) {
        JsonNode taskId = message.get("taskId");
        if (taskId == null || taskId.isNull()) {
            return null;
        }
        if (!taskId.isTextual() || !BoardIds.valid(taskId.textValue())) {
            throw new ValidationException("Invalid taskId");
        }
        return taskId.textValue();
    }

    /** The optional {@code since}: a whole number from 0, or null when absent. */
    private static Long since(JsonNode message) {
        JsonNode since = message.get("since");
        if (since == null || since.isNull()) {
            return null;
        }
        if (!since.canConvertToLong() || !since.isIntegralNumber() || since.longValue() < 0) {
            throw new ValidationException("since must be a non-negative integer");
        }
        return since.longValue();
    }

    private static String taskId(JsonNode message) {
        return required(message, "taskId");
    }

    private static String required(JsonNode message, String field) {
        String value = TaskJson.string(message, field);
        if (value == null || value.isBlank()) {
            throw new ValidationException(field + " is required");
        }
        return value;
    }
}
