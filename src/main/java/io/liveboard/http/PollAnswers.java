package io.liveboard.http;

import com.fasterxml.jackson.databind.util.RawValue;
import io.liveboard.board.BoardEvent;
import io.liveboard.board.Catchup;
import io.liveboard.board.TaskUpdates;
import io.liveboard.json.Json;
import io.liveboard.realtime.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The answers of the polling routes, as JSON fields in order. */
final class PollAnswers {

    private PollAnswers() {
    }

    /**
     * {@code {boardId, seq, epoch, events: [event]}} from a catch-up, with {@code more: true} when it stopped at
     * its limit, and a {@code resync} field when its cursor could not be served.
     */
    static Map<String, Object> events(Catchup catchup) {
        List<Object> events = new ArrayList<>(catchup.events().size());
        for (BoardEvent event : catchup.events()) {
            events.add(OutboundMessage.wire(event));
        }
        Map<String, Object> body = events(catchup.boardId(), catchup.seq(), catchup.epoch(), events);
        if (catchup.more()) {
            body.put("more", true);
        }
        if (catchup.resync() != null) {
            body.put("resync", OutboundMessage.resync(catchup));
        }
        return body;
    }

    /** The same answer from events as the fan-out encoded them (their JSON as it is), up to the last of them. */
    static Map<String, Object> events(String boardId, String epoch, List<OutboundMessage> messages) {
        List<Object> events = new ArrayList<>(messages.size());
        for (OutboundMessage message : messages) {
            events.add(new RawValue(message.json()));
        }
        return events(boardId, messages.get(messages.size() - 1).seq(), epoch, events);
    }

    private static Map<String, Object> events(String boardId, long seq, String epoch, List<Object> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("boardId", boardId);
        body.put("seq", seq);
        body.put("epoch", epoch);
        body.put("events", events);
        return body;
    }

    /** {@code {data: [Task], deleted: [taskId], timestamp}}, and a {@code resync} field when changes cannot be told. */
    static Map<String, Object> updates(TaskUpdates updates) {
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

    /** An answer in UTF-8, to be sent as it is to every request it answers. */
    static byte[] encode(Map<String, Object> body) {
        return Json.write(body).getBytes(StandardCharsets.UTF_8);
    }
}
