package io.liveboard.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.board.NewTask;
import io.liveboard.board.PatchField;
import io.liveboard.board.TaskMove;
import io.liveboard.board.TaskPatch;
import io.liveboard.board.ValidationException;

/**
 * Reads task commands out of a JSON object, the same for REST bodies and WebSocket messages. A field of
 * the wrong type is a {@link ValidationException} naming it; required-ness is the service's rule.
 */
public final class TaskJson {

    private TaskJson() {
    }

    public static NewTask newTask(JsonNode body) {
        return new NewTask(string(body, "listId"), string(body, "title"), string(body, "description"),
                string(body, "assigneeId"));
    }

    public static TaskPatch patch(JsonNode body) {
        return new TaskPatch(field(body, "title"), field(body, "description"), field(body, "assigneeId"));
    }

    public static TaskMove move(JsonNode body) {
        return new TaskMove(string(body, "listId"), integer(body, "position"));
    }

    /** A string field, or null when it is absent or JSON null. */
    public static String string(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new ValidationException(name + " must be a string");
        }
        return node.textValue();
    }

    /** A whole-number field, or null when it is absent or JSON null. */
    public static Integer integer(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new ValidationException(name + " must be a whole number");
        }
        return node.intValue();
    }

    private static PatchField<String> field(JsonNode body, String name) {
        return body.has(name) ? PatchField.of(string(body, name)) : PatchField.absent();
    }
}
