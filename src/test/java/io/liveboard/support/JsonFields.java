package io.liveboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Expected JSON objects written inline: {@code object("type", "joined", "viewers", 2)}. */
public final class JsonFields {

    private JsonFields() {
    }

    /** A JSON object of name/value pairs, in order. */
    public static JsonNode object(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return Json.MAPPER.valueToTree(fields);
    }

    /** A user as presence shows it: {@code {"userId":…,"name":…}}. */
    public static JsonNode user(String userId, String name) {
        return object("userId", userId, "name", name);
    }

    /** Users as presence lists them, from ids and names in turn: {@code users("alice", "Alice", "bob", "Bob")}. */
    public static List<JsonNode> users(String... idsAndNames) {
        List<JsonNode> users = new ArrayList<>();
        for (int i = 0; i < idsAndNames.length; i += 2) {
            users.add(user(idsAndNames[i], idsAndNames[i + 1]));
        }
        return users;
    }
}
