package io.liveboard.realtime;

import io.liveboard.board.BoardEvent;
import io.liveboard.board.Catchup;
import io.liveboard.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message encoded once and sent as it is to every connection that should get it: the JSON text, and the
 * whole WebSocket frame of it (in a direct buffer, which sockets write without another copy; a server's frames
 * are not masked, so header and payload are the same bytes for every socket). {@code type} names it (the
 * SSE event name); {@code boardId} and {@code seq} place it in a board's event log ({@code seq} is 0 for
 * messages that are not board events, such as {@code user_joined}; a {@code resync} has the number its board
 * is as of); {@code excludeId} names the one
 * connection that must not get it (the one that caused it), or is null. Immutable and thread-safe.
 */
public final class OutboundMessage {

    private final String type;
    private final String boardId;
    private final long seq;
    private final String json;
    private final String excludeId;
    /**
     * Larger messages are split into frames of this size: the most a 16-bit length says, within the 64 KiB that
     * clients (Jetty's among them) take in one frame by default.
     */
    private static final int MAX_FRAME_PAYLOAD = 0xFFFF;

    private final int size;
    private final ByteBuffer frame;

    public OutboundMessage(String type, String boardId, long seq, String json, String excludeId) {
        this.type = type;
        this.boardId = boardId;
        this.seq = seq;
        this.json = json;
        this.excludeId = excludeId;
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        this.size = bytes.length;
        this.frame = textFrames(bytes);
    }

    public OutboundMessage(String type, String boardId, long seq, String json) {
        this(type, boardId, seq, json, null);
    }

    /** {@code {"type":…,"boardId":…,"seq":…, …event fields}}, the wire form of a board event. */
    public static OutboundMessage of(BoardEvent event) {
        return new OutboundMessage(event.type(), event.boardId(), event.seq(), Json.write(wire(event)),
                event.originId());
    }

    /** The fields of a board event as every transport sends them, in order. */
    public static Map<String, Object> wire(BoardEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type());
        body.put("boardId", event.boardId());
        body.put("seq", event.seq());
        body.putAll(event.data());
        return body;
    }

    /** {@code {"type":"resync","boardId":…,"seq":m,"epoch":…,"board":{…}}}: start again from the whole board. */
    public static Map<String, Object> resync(Catchup catchup) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "resync");
        body.put("boardId", catchup.boardId());
        body.put("seq", catchup.seq());
        body.put("epoch", catchup.epoch());
        body.put("board", catchup.resync());
        return body;
    }

    /** What a client resuming from a catch-up gets first: the resync message, or the events in order. */
    public static List<OutboundMessage> of(Catchup catchup) {
        if (catchup.resync() != null) {
            return List.of(new OutboundMessage("resync", catchup.boardId(), catchup.seq(), Json.write(resync(catchup))));
        }
        List<OutboundMessage> messages = new ArrayList<>(catchup.events().size());
        for (BoardEvent event : catchup.events()) {
            messages.add(of(event));
        }
        return messages;
    }

    /** A message that is not a board event, from fields in order. */
    public static OutboundMessage of(String type, String boardId, Map<String, Object> fields) {
        return of(type, boardId, fields, null);
    }

    /** A message that is not a board event, for everyone but the connection {@code excludeId} (may be null). */
    public static OutboundMessage of(String type, String boardId, Map<String, Object> fields, String excludeId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.putAll(fields);
        return new OutboundMessage(type, boardId, 0, Json.write(body), excludeId);
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

    public String excludeId() {
        return excludeId;
    }

    /** Size of the UTF-8 payload in bytes. */
    public int size() {
        return size;
    }

    /**
     * The message as a WebSocket text message: one unmasked frame, or several past 64 KiB. A fresh read-only
     * view each call, so that every socket writes from its own position.
     */
    public ByteBuffer frame() {
        return frame.duplicate();
    }

    private static ByteBuffer textFrames(byte[] payload) {
        int frames = Math.max(1, (payload.length + MAX_FRAME_PAYLOAD - 1) / MAX_FRAME_PAYLOAD);
        ByteBuffer buffer = ByteBuffer.allocateDirect(payload.length + frames * 4);
        int at = 0;
        do {
            int length = Math.min(MAX_FRAME_PAYLOAD, payload.length - at);
            boolean fin = at + length == payload.length;
            int opcode = at == 0 ? 0x1 : 0x0; // text, then continuation
            buffer.put((byte) ((fin ? 0x80 : 0) | opcode));
            if (length < 126) {
                buffer.put((byte) length);
            } else {
                buffer.put((byte) 126).putShort((short) length);
            }
            buffer.put(payload, at, length);
            at += length;
        } while (at < payload.length);
        return buffer.flip().asReadOnlyBuffer();
    }
}
