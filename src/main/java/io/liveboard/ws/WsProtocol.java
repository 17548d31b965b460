package io.liveboard.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.board.BoardService;
import io.liveboard.board.Catchup;
import io.liveboard.board.Change;
import io.liveboard.http.ErrorMapper;
import io.liveboard.json.Json;
import io.liveboard.json.TaskJson;
import io.liveboard.realtime.Connection;
import io.liveboard.realtime.Fanout;
import io.liveboard.realtime.OutboundMessage;
import io.liveboard.realtime.RoomRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WebSocket message protocol (README, "WebSocket protocol"): rooms ({@code join}, with {@code since} to
 * resume; {@code leave}), {@code ping}, and task commands answered with an {@code ack} while the rest of the
 * room gets the broadcast. A bad message gets {@code {"error": …}} and the socket stays open. Room changes
 * and their announcements run on the fan-out thread, one at a time, so that an announced count and the
 * members it reaches are of the same moment, and a joiner's replay meets the live events without a seam.
 */
public final class WsProtocol {

    private final BoardService boards;
    private final RoomRegistry rooms;
    private final Fanout fanout;

    public WsProtocol(BoardService boards, RoomRegistry rooms, Fanout fanout) {
        this.boards = boards;
        this.rooms = rooms;
        this.fanout = fanout;
    }

    void opened(Connection connection) {
        rooms.add(connection);
        connection.send(OutboundMessage.of("connected", null, Map.of("socketId", connection.id())));
    }

    void closed(Connection connection) {
        fanout.run(() -> {
            for (String boardId : rooms.remove(connection)) {
                announce("user_left", boardId, rooms.size(boardId), null);
            }
        });
    }

    void refuse(Connection connection, String error) {
        connection.send(error(error, null));
    }

    void received(Connection connection, String text) {
        JsonNode message;
        try {
            message = Json.parse(text);
        } catch (JsonProcessingException e) {
            refuse(connection, "Invalid JSON");
            return;
        }
        if (!message.isObject()) {
            refuse(connection, "Message must be a JSON object");
            return;
        }
        JsonNode ref = message.get("ref");
        try {
            dispatch(connection, message, ref);
        } catch (RuntimeException e) {
            String type = message.path("type").asText("");
            connection.send(error(ErrorMapper.map(e, "WebSocket " + connection.id() + " " + type).message(), ref));
        }
    }

    private void dispatch(Connection connection, JsonNode message, JsonNode ref) {
        JsonNode typeNode = message.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            connection.send(error("type is required", ref));
            return;
        }
        String type = typeNode.textValue();
        switch (type) {
            case "join" -> join(connection, boardId(message), since(message), TaskJson.string(message, "epoch"));
            case "leave" -> leave(connection, boardId(message));
            case "ping" -> connection.send(OutboundMessage.of("pong", null, Map.of()));
            case "create_task" -> ack(connection, ref, "task",
                    boards.createTask(TaskJson.newTask(message), connection.id()));
            case "update_task" -> ack(connection, ref, "task",
                    boards.updateTask(taskId(message), TaskJson.patch(message), connection.id()));
            case "move_task" -> ack(connection, ref, "task",
                    boards.moveTask(taskId(message), TaskJson.move(message), connection.id()));
            case "delete_task" -> ack(connection, ref, "taskId", boards.deleteTask(taskId(message), connection.id()));
            default -> connection.send(error("Unknown type: " + type, ref));
        }
    }

    /** Joins live ({@code since} null) or resuming after event {@code since}; see {@link Fanout#join}. */
    private void join(Connection connection, String boardId, Long since, String epoch) {
        Catchup start = boards.catchUp(boardId, since, epoch, Integer.MAX_VALUE);
        fanout.join(rooms, connection, start, (membership, seq, backlog) -> {
            Map<String, Object> joined = new LinkedHashMap<>();
            joined.put("boardId", boardId);
            joined.put("viewers", membership.size());
            joined.put("seq", seq);
            joined.put("epoch", start.epoch());
            List<OutboundMessage> messages = new ArrayList<>(backlog.size() + 1);
            messages.add(OutboundMessage.of("joined", boardId, joined));
            messages.addAll(backlog);
            connection.send(messages);
            if (membership.changed()) {
                announce("user_joined", boardId, membership.size(), connection.id());
            }
        });
    }

    private void leave(Connection connection, String boardId) {
        fanout.run(() -> {
            RoomRegistry.Membership membership = rooms.leave(boardId, connection);
            connection.send(OutboundMessage.of("left", boardId, Map.of("boardId", boardId)));
            if (membership.changed()) {
                announce("user_left", boardId, membership.size(), null);
            }
        });
    }

    private void announce(String type, String boardId, int viewers, String excludeId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("viewers", viewers);
        rooms.broadcast(boardId, OutboundMessage.of(type, boardId, fields, excludeId));
    }

    private static void ack(Connection connection, JsonNode ref, String field, Change<?> change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (ref != null) {
            fields.put("ref", ref);
        }
        // the sender is spared the broadcast: the event's number tells it where it now is
        fields.put("boardId", change.event().boardId());
        fields.put("seq", change.event().seq());
        fields.put(field, change.value());
        connection.send(OutboundMessage.of("ack", change.event().boardId(), fields));
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
        return required(message, "boardId");
    }

    /** The optional {@code since}: a whole number from 0, or null when absent. */
    private static Long since(JsonNode message) {
        JsonNode since = message.get("since");
        if (since == null || since.isNull()) {
            return null;
        }
        if (!since.canConvertToLong() || !since.isIntegralNumber() || since.longValue() < 0) {
            throw new io.liveboard.board.ValidationException("since must be a non-negative integer");
        }
        return since.longValue();
    }

    private static String taskId(JsonNode message) {
        return required(message, "taskId");
    }

    private static String required(JsonNode message, String field) {
        String value = TaskJson.string(message, field);
        if (value == null || value.isBlank()) {
            throw new io.liveboard.board.ValidationException(field + " is required");
        }
        return value;
    }
}
