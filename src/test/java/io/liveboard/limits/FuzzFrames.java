package io.liveboard.limits;

import io.liveboard.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Random and malformed WebSocket text frames for {@link FuzzTest}: random bytes and characters, random JSON of
 * every type, huge numbers, deep nesting, wrong field types, unknown types, and commands with garbage. Every
 * frame fits in 64 KiB and is built so that it draws exactly one reply from a socket that joined no room
 * ({@code error}, {@code pong}, {@code left} or {@code ack}), and so that the only frames that may change
 * anything are creates (whose acks the test tracks): updates, moves and deletes always aim at a task that does
 * not exist or carry a field that is wrong.
 */
final class FuzzFrames {

    /** A frame: its text (or bytes, for a binary frame), and, for a valid create, its title and ref. */
    record Frame(String kind, String text, byte[] binary, String createTitle, String createRef) {
    }

    private static final int MAX_BYTES = 64 * 1024 - 16;
    private static final String[] TYPES = {"join", "leave", "typing", "stop_typing", "ping", "auth", "create_task",
        "update_task", "move_task", "delete_task"};

    private final Random random;
    private final String board;
    private final List<String> boardLists;
    private final List<String> sentinelTasks;
    private final String foreignList;
    private int creates;

    /**
     * @param board         the board the fuzz may add tasks to
     * @param boardLists    its lists
     * @param sentinelTasks tasks that must come through unchanged
     * @param foreignList   a list of another board (moves there are refused)
     */
    FuzzFrames(Random random, String board, List<String> boardLists, List<String> sentinelTasks, String foreignList) {
        this.random = random;
        this.board = board;
        this.boardLists = boardLists;
        this.sentinelTasks = sentinelTasks;
        this.foreignList = foreignList;
    }

    Frame next(String socketTag) {
        while (true) {
            Frame frame = candidate(socketTag);
            if (frame.binary() != null || frame.text().getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
                return frame;
            }
        }
    }

    private Frame candidate(String socketTag) {
        int pick = random.nextInt(100);
        if (pick < 8) {
            return text("random bytes as text", new String(bytes(1 + random.nextInt(300)), StandardCharsets.UTF_8));
        } else if (pick < 14) {
            return text("random characters", chars(1 + random.nextInt(200)));
        } else if (pick < 18) {
            return new Frame("binary", null, bytes(random.nextInt(500)), null, null);
        } else if (pick < 26) {
            return text("random JSON value", value(4));
        } else if (pick < 34) {
            return text("random JSON object", randomObject(4));
        } else if (pick < 62) {
            return text("known type, garbage fields", knownTypeWithGarbage());
        } else if (pick < 68) {
            return text("huge numbers", hugeNumbers());
        } else if (pick < 73) {
            return text("deep nesting", deepNesting());
        } else if (pick < 79) {
            return text("broken JSON", brokenJson());
        } else if (pick < 84) {
            return text("unknown type", "{\"type\":" + Json.write(chars(1 + random.nextInt(random.nextBoolean() ? 20 : 2_000)) + "_x")
                    + (random.nextBoolean() ? ",\"ref\":" + value(2) : "") + "}");
        } else if (pick < 88) {
            return text("ping with garbage", "{\"type\":\"ping\",\"x\":" + value(3) + ",\"ref\":" + value(2) + "}");
        } else if (pick < 92) {
            return text("huge strings", "{\"type\":\"" + pickType() + "\",\"boardId\":" + Json.write("x".repeat(60_000))
                    + ",\"taskId\":\"nope\",\"listId\":" + Json.write("y".repeat(1_000)) + "}");
        } else {
            return validCreate(socketTag);
        }
    }

    private Frame text(String kind, String text) {
        return new Frame(kind, text, null, null, null);
    }

    private Frame validCreate(String socketTag) {
        String title = ("fuzz " + socketTag + " " + (++creates) + " " + printable(random.nextInt(40))).strip();
        String ref = switch (random.nextInt(4)) {
            case 0 -> Json.write("r-" + creates);
            case 1 -> Integer.toString(random.nextInt(1_000_000));
            case 2 -> "{\"n\":" + creates + ",\"tag\":" + Json.write(socketTag) + "}";
            default -> "[1,\"two\",null,true]";
        };
        String list = boardLists.get(random.nextInt(boardLists.size()));
        return new Frame("valid create", "{\"type\":\"create_task\",\"listId\":" + Json.write(list) + ",\"title\":"
                + Json.write(title) + ",\"ref\":" + ref + "}", null, title, ref);
    }

    // known types with fields that make them refused (or harmless: leave, ping)

    private String knownTypeWithGarbage() {
        String type = pickType();
        StringBuilder frame = new StringBuilder("{\"type\":\"").append(type).append('"');
        switch (type) {
            case "join" -> {
                if (random.nextBoolean()) {
                    frame.append(",\"boardId\":").append(badBoardId());
                    if (random.nextBoolean()) {
                        frame.append(",\"since\":").append(value(2));
                    }
                } else {
                    // the real board, but a since that is never acceptable: refused before any join
                    frame.append(",\"boardId\":").append(Json.write(board)).append(",\"since\":").append(badSince());
                }
            }
            case "leave", "typing", "stop_typing" ->
                frame.append(",\"boardId\":").append(random.nextInt(4) == 0 ? Json.write(board) : badBoardId());
            case "ping" -> frame.append(",\"boardId\":").append(value(2));
            case "auth" -> frame.append(",\"token\":").append(random.nextBoolean() ? Json.write(chars(30)) : value(2));
            case "create_task" -> {
                if (random.nextBoolean()) {
                    frame.append(",\"listId\":").append(badListId()).append(",\"title\":").append(value(2));
                } else {
                    frame.append(",\"listId\":").append(Json.write(boardLists.get(0)))
                            .append(",\"title\":").append(badTitle(true));
                }
                maybe(frame, "description", random.nextBoolean() ? value(2) : Json.write("d".repeat(10_001)));
            }
            case "update_task" -> {
                if (random.nextBoolean()) {
                    frame.append(",\"taskId\":").append(badTaskId());
                    maybe(frame, "title", value(2));
                } else {
                    frame.append(",\"taskId\":").append(Json.write(sentinel()));
                    if (random.nextBoolean()) {
                        frame.append(",\"title\":").append(badTitle(false));
                    } else {
                        frame.append(",\"description\":").append(random.nextBoolean() ? nonString()
                                : Json.write("d".repeat(10_001)));
                    }
                }
            }
            case "move_task" -> {
                if (random.nextBoolean()) {
                    frame.append(",\"taskId\":").append(badTaskId());
                    maybe(frame, "listId", value(2));
                    maybe(frame, "position", value(1));
                } else {
                    frame.append(",\"taskId\":").append(Json.write(sentinel()));
                    if (random.nextBoolean()) {
                        frame.append(",\"listId\":").append(random.nextBoolean() ? badListId() : Json.write(foreignList));
                        maybe(frame, "position", value(1));
                    } else {
                        frame.append(",\"listId\":").append(Json.write(boardLists.get(random.nextInt(boardLists.size()))))
                                .append(",\"position\":").append(badPosition());
                    }
                }
            }
            case "delete_task" -> frame.append(",\"taskId\":").append(badTaskId());
            default -> throw new IllegalStateException(type);
        }
        maybe(frame, "ref", value(2));
        return frame.append('}').toString();
    }

    private void maybe(StringBuilder frame, String field, String json) {
        if (random.nextBoolean()) {
            frame.append(",\"").append(field).append("\":").append(json);
        }
    }

    private String pickType() {
        return TYPES[random.nextInt(TYPES.length)];
    }

    private String sentinel() {
        return sentinelTasks.get(random.nextInt(sentinelTasks.size()));
    }

    private String badBoardId() {
        return switch (random.nextInt(8)) {
            case 0 -> nonString();
            case 1 -> Json.write("a".repeat(129 + random.nextInt(500)));
            case 2 -> Json.write(chars(1 + random.nextInt(20)) + " /");
            case 3 -> Json.write("../" + printable(5));
            case 4 -> Json.write("");
            case 5 -> Json.write("   ");
            case 6 -> "null";
            default -> Json.write("nope-" + random.nextInt(1_000_000)); // well formed, no such board
        };
    }

    private String badSince() {
        return switch (random.nextInt(8)) {
            case 0 -> "-" + (1 + random.nextInt(1000));
            case 1 -> "1.5";
            case 2 -> "1e999";
            case 3 -> "9".repeat(30 + random.nextInt(900));
            case 4 -> Json.write(Integer.toString(random.nextInt(10)));
            case 5 -> "true";
            case 6 -> "{\"seq\":1}";
            default -> "[0]";
        };
    }

    private String badListId() {
        return random.nextBoolean() ? nonString() : Json.write("list-nope-" + printable(6));
    }

    private String badTaskId() {
        return switch (random.nextInt(4)) {
            case 0 -> nonString();
            case 1 -> Json.write("");
            case 2 -> "null";
            default -> Json.write("task-nope-" + printable(8));
        };
    }

    /** A title that is refused; JSON null only where it cannot mean "unchanged" (a create). */
    private String badTitle(boolean nullAllowed) {
        return switch (random.nextInt(nullAllowed ? 5 : 4)) {
            case 0 -> nonString();
            case 1 -> Json.write("");
            case 2 -> Json.write(" \t ");
            case 3 -> Json.write("t".repeat(501 + random.nextInt(3_000)));
            default -> "null";
        };
    }

    private String badPosition() {
        return switch (random.nextInt(7)) {
            case 0 -> "-" + (1 + random.nextInt(100));
            case 1 -> "0.5";
            case 2 -> "1e999";
            case 3 -> "99999999999999999999999";
            case 4 -> Json.write("1");
            case 5 -> "-9223372036854775809";
            default -> "[1]";
        };
    }

    /** A JSON value that is not a string (and not null). */
    private String nonString() {
        return switch (random.nextInt(6)) {
            case 0 -> Integer.toString(random.nextInt());
            case 1 -> "1e" + random.nextInt(400);
            case 2 -> random.nextBoolean() ? "true" : "false";
            case 3 -> "[" + Json.write(printable(5)) + "]";
            case 4 -> "{\"id\":" + Json.write(printable(5)) + "}";
            default -> "-0.0";
        };
    }

    // random JSON

    private String value(int depth) {
        int kinds = depth <= 0 ? 6 : 8;
        return switch (random.nextInt(kinds)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> number();
            case 3 -> Json.write(chars(random.nextInt(30)));
            case 4 -> "\"\\u0000\\ud800\\udfff\\uffff\\n\\\"\"";
            case 5 -> Long.toString(random.nextLong());
            case 6 -> {
                StringBuilder array = new StringBuilder("[");
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.append(value(depth - 1)).append(i > 1 ? "," : "");
                }
                yield array.append(']').toString();
            }
            default -> randomObject(depth - 1);
        };
    }

    private String randomObject(int depth) {
        StringBuilder object = new StringBuilder("{");
        int fields = random.nextInt(6);
        for (int i = 0; i < fields; i++) {
            String name = random.nextInt(3) == 0 ? new String[] {"type", "boardId", "taskId", "listId", "title", "ref",
                "since", "position"}[random.nextInt(8)] + i : chars(1 + random.nextInt(10));
            if (i == 0 && random.nextBoolean()) {
                name = "type";
            }
            object.append(i > 0 ? "," : "").append(Json.write(name)).append(':').append(value(depth - 1));
        }
        return object.append('}').toString();
    }

    private String number() {
        return switch (random.nextInt(9)) {
            case 0 -> Integer.toString(random.nextInt());
            case 1 -> "-0";
            case 2 -> "1e" + (random.nextBoolean() ? "" : "-") + random.nextInt(100_000);
            case 3 -> "9".repeat(1 + random.nextInt(2_000));
            case 4 -> "-" + "1".repeat(1 + random.nextInt(50));
            case 5 -> "0." + "3".repeat(1 + random.nextInt(2_000));
            case 6 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(600) - 300));
            case 7 -> "1.7976931348623157e309";
            default -> "123456789012345678901234567890";
        };
    }

    private String hugeNumbers() {
        String huge = switch (random.nextInt(6)) {
            case 0 -> "9".repeat(1_000 + random.nextInt(40_000));
            case 1 -> "1e" + "9".repeat(20);
            case 2 -> "-" + "9".repeat(100);
            case 3 -> "0." + "0".repeat(5_000) + "1";
            case 4 -> "1" + "0".repeat(1_001);
            default -> "18446744073709551616";
        };
        String field = new String[] {"since", "position", "ref", "boardId", "type", "taskId"}[random.nextInt(6)];
        return switch (field) {
            case "since" -> "{\"type\":\"join\",\"boardId\":" + Json.write(board) + ",\"since\":" + huge + "}";
            case "position" -> "{\"type\":\"move_task\",\"taskId\":" + Json.write(sentinel()) + ",\"listId\":"
                    + Json.write(boardLists.get(0)) + ",\"position\":" + huge + "}";
            case "ref" -> "{\"type\":\"" + (random.nextBoolean() ? "delete_task\",\"taskId\":\"task-nope" : "dance")
                    + "\",\"ref\":" + huge + "}";
            default -> "{\"type\":" + (field.equals("type") ? huge : "\"leave\",\"" + field + "\":" + huge) + "}";
        };
    }

    private String deepNesting() {
        int depth = 1 + random.nextInt(random.nextBoolean() ? 2_000 : 30_000);
        String open;
        String close;
        if (random.nextBoolean()) {
            open = "[";
            close = "]";
        } else {
            open = "{\"a\":";
            close = "}";
        }
        String inner = open.repeat(depth) + "1" + close.repeat(depth);
        return switch (random.nextInt(4)) {
            case 0 -> inner;
            case 1 -> "{\"type\":\"ping\",\"x\":" + inner + "}";
            case 2 -> "{\"type\":\"join\",\"boardId\":" + inner + "}";
            default -> open.repeat(depth); // never closed
        };
    }

    private String brokenJson() {
        String[] broken = {
            "{\"type\":\"ping\"", "{\"type\":\"ping\",}", "{\"type\":\"ping\"}}", "{\"type\":\"ping\"} x",
            "{'type':'ping'}", "{type:\"ping\"}", "{\"type\":\"ping\",\"type\":\"join\"}", "\uFEFF{\"type\":\"ping\"}",
            "{\"type\":\"ping\" /* hi */}", "{\"type\":NaN}", "{\"since\":Infinity,\"type\":\"join\"}", "[1,2,]",
            "{\"type\":\"ping\"}{\"type\":\"ping\"}", "\"unterminated", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}",
            "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}", "nul", "", " ", "\u0000", "{\"\u0000\":1}x"};
        String base = broken[random.nextInt(broken.length)];
        if (random.nextBoolean()) {
            String valid = "{\"type\":\"create_task\",\"listId\":" + Json.write(boardLists.get(0))
                    + ",\"title\":\"truncated\",\"ref\":1}";
            return valid.substring(0, random.nextInt(valid.length())); // a valid command cut short
        }
        return base;
    }

    // characters

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Any characters but lone surrogates: control characters, BMP, and astral pairs. */
    private String chars(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x20 + random.nextInt(0x5f);
                case 2 -> 0xa0 + random.nextInt(0xd7ff - 0xa0);
                default -> 0x10000 + random.nextInt(0xfffff);
            };
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    private String printable(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) ('!' + random.nextInt(94)));
        }
        return text.toString();
    }
}
