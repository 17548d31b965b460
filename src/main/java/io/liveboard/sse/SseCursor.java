package io.liveboard.sse;

import io.liveboard.board.BoardIds;
import io.liveboard.board.ValidationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A stream's position as its SSE event ids carry it: {@code E/12} for a one-board stream, {@code E/a:12,b:4}
 * for several, where {@code E} is the store's epoch. A client resuming sends the last id back
 * ({@code Last-Event-ID}); the epoch part may be left out ({@code 12}, {@code a:12,b:4}), and then is not
 * checked. Boards the id does not name start live; boards it names that the stream has not are ignored.
 */
record SseCursor(String epoch, Map<String, Long> positions) {

    static String format(String epoch, Map<String, Long> positions) {
        if (positions.size() == 1) {
            return epoch + "/" + positions.values().iterator().next();
        }
        StringJoiner id = new StringJoiner(",", epoch + "/", "");
        positions.forEach((board, seq) -> id.add(board + ":" + seq));
        return id.toString();
    }

    /** The position in {@code id} for a stream of {@code boardIds}; no id (null or blank) is no position. */
    static SseCursor parse(String id, List<String> boardIds) {
        Map<String, Long> positions = new LinkedHashMap<>();
        if (id == null || id.isBlank()) {
            return new SseCursor(null, positions);
        }
        String rest = id.strip();
        String epoch = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            epoch = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        if (!rest.contains(":")) {
            if (boardIds.size() != 1) {
                throw invalid(id, "a stream of several boards needs board:seq pairs");
            }
            positions.put(boardIds.get(0), seq(rest, id));
            return new SseCursor(epoch, positions);
        }
        for (String pair : rest.split(",")) {
            int colon = pair.lastIndexOf(':');
            if (colon <= 0) {
                throw invalid(id, "expected board:seq pairs");
            }
            String board = pair.substring(0, colon).strip();
            if (!BoardIds.valid(board)) {
                throw invalid(id, "'" + board + "' is not a board id");
            }
            long seq = seq(pair.substring(colon + 1), id);
            if (boardIds.contains(board)) {
                positions.put(board, seq);
            }
        }
        return new SseCursor(epoch, positions);
    }

    private static long seq(String text, String id) {
        try {
            long seq = Long.parseLong(text.strip());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(id, "event numbers are whole numbers from 0");
    }

    private static ValidationException invalid(String id, String why) {
        return new ValidationException("Invalid Last-Event-ID '" + id + "': " + why);
    }
}
