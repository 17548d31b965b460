package io.liveboard.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.support.Http;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the idempotency tests share: fresh keys, keyed requests, and looks at a board and at the key table. */
final class Keys {

    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    static final String SEQ = "Liveboard-Seq";

    private Keys() {
    }

    /** A key no other test uses (every caller shares one scope with authentication off). */
    static String fresh() {
        return UUID.randomUUID().toString();
    }

    /** The request with {@code Idempotency-Key: key} (and the other headers given). */
    static Http.Reply keyed(Http http, String method, String path, String json, String key, String... headers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(HEADER, key);
        for (int i = 0; i < headers.length; i += 2) {
            all.put(headers[i], headers[i + 1]);
        }
        return http.request(method, path, json, all);
    }

    /** The board's last event number, as {@code GET /boards/{id}} tells it. */
    static long seq(Http http, String boardId) {
        return http.get("/boards/" + boardId).json().path("seq").asLong();
    }

    /** The titles of the board's tasks, list by list. */
    static List<String> titles(Http http, String boardId) {
        return titles(http.get("/boards/" + boardId));
    }

    /** The same, asked with a token. */
    static List<String> titles(Http http, String boardId, String token) {
        return titles(http.request("GET", "/boards/" + boardId, null, Map.of("Authorization", "Bearer " + token)));
    }

    private static List<String> titles(Http.Reply board) {
        if (board.status() != 200) {
            throw new AssertionError("GET board: " + board.status() + " " + board.body());
        }
        List<String> titles = new ArrayList<>();
        for (JsonNode list : board.json().path("lists")) {
            list.path("tasks").forEach(task -> titles.add(task.path("title").asText()));
        }
        return titles;
    }

    /** How many rows the database file's key table holds for {@code key} (read beside the running server). */
    static int rows(Path db, String key) {
        return count(db, "SELECT COUNT(*) FROM idempotency_keys WHERE key = ?", key);
    }

    /** Whether the database file has the table {@code name}. */
    static boolean hasTable(Path db, String name) {
        return count(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name) == 1;
    }

    /** Runs one statement on the database file (between two runs of the server). */
    static void execute(Path db, String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static int count(Path db, String sql, String parameter) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
