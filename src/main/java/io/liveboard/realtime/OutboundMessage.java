package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import io.liveboard.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message encoded once and sent as it is to every connection that should get it. {@code type} names it
 * (the SSE event name), {@code boardId} and {@code seq} place it in a board's event log ({@code seq} is 0
 * for messages that are not board events, such as {@code user_joined}).
 */
public final class OutboundMessage {

    private final String type;
    private final String boardId;
    private final long seq;
    private final String json;
    private volatile byte[] utf8;

    public OutboundMessage(String type, String boardId, long seq, String json) {
        this.type = type;
        this.boardId = boardId;
        this.seq = seq;
        this.json = json;
    }

    /** {@code {"type":…,"boardId":…,"seq":…, …event fields}}, the wire form of a board event. */
    public static OutboundMessage of(BoardEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type());
        body.put("boardId", event.boardId());
        body.put("seq", event.seq());
        body.putAll(event.data());
        return new OutboundMessage(event.type(), event.boardId(), event.seq(), Json.write(body));
    }

    /** A message that is not a board event, from fields in order. */
    public static OutboundMessage of(String type, String boardId, Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.putAll(fields);
        return new OutboundMessage(type, boardId, 0, Json.write(body));
    }

    public String type() {
        return type;
    }

    public String boardId() {
        return boardId;
    }

    public long seq() {
        return seq;
    }

    public String json() {
        return json;
    }

    /** The JSON as UTF-8, encoded on first use and then shared. */
    public byte[] utf8() {
        byte[] bytes = utf8;
        if (bytes == null) {
            bytes = json.getBytes(StandardCharsets.UTF_8);
            utf8 = bytes;
        }
        return bytes;
    }
}
