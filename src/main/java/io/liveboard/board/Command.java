package io.liveboard.board;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A change as a client asked for it, in canonical form: its kind, then its target ids and fields after parsing
 * and validation (a title trimmed, an absent description as {@code ""}; of a partial update only the fields
 * given), in a fixed order. Two requests are the same command when their canonical forms are equal, whatever
 * transport and JSON spelling carried them: a command sent over the WebSocket and retried over REST is the
 * same. {@link #fingerprint()} names the form for storage.
 *
 * @param kind   what the command does
 * @param fields its ids and fields in canonical order; values are strings, whole numbers or null
 */
public record Command(Kind kind, Map<String, Object> fields) {

    /** The changes a client may send with an idempotency key. */
    public enum Kind {
        CREATE_BOARD(201),
        CREATE_LIST(201),
        CREATE_TASK(201),
        UPDATE_TASK(200),
        MOVE_TASK(200),
        DELETE_TASK(204);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /**
         * The HTTP status a success of this kind is answered with. It is stored with the result, so that a REST
         * retry of a command first sent over the WebSocket answers as REST would have.
         */
        public int status() {
            return status;
        }

        /** The name of the kind in the canonical form ({@code create_task}), as the WebSocket types are named. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Command {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A command of {@code kind} with the given fields, as name, value, name, value, … in canonical order. */
    static Command of(Kind kind, Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new Command(kind, fields);
    }

    /**
     * The canonical form as compact JSON: {@code {"kind":"create_task","listId":"list-todo","title":"x",…}}, the
     * fields in their canonical order, strings escaped the one way JSON requires.
     */
    public String canonicalJson() {
        StringBuilder json = new StringBuilder("{\"kind\":");
        string(json, kind.wireName());
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            json.append(',');
            string(json, field.getKey());
            json.append(':');
            Object value = field.getValue();
            if (value == null) {
                json.append("null");
            } else if (value instanceof Integer || value instanceof Long) {
                json.append(value);
            } else {
                string(json, value.toString());
            }
        }
        return json.append('}').toString();
    }

    /** The SHA-256 of {@link #canonicalJson()} (its UTF-8 bytes), in 64 lowercase hex digits. */
    public String fingerprint() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonicalJson().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
