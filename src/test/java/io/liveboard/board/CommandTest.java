package io.liveboard.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * The canonical form of a command, a pure unit. Its fingerprint is stored with every key, so it must not change
 * between versions: a retry across an upgrade would be refused as another command.
 */
class CommandTest {

    @Test
    void theCanonicalFormIsCompactJsonInTheFieldsOrderWithStringsEscaped() {
        Command command = Command.of(Command.Kind.CREATE_TASK, "listId", "list-todo", "title", "Say \"hi\" \\ \n\u0001",
                "description", "", "assigneeId", null);
        assertEquals("{\"kind\":\"create_task\",\"listId\":\"list-todo\",\"title\":\"Say \\\"hi\\\" \\\\ \\u000a\\u0001\","
                + "\"description\":\"\",\"assigneeId\":null}", command.canonicalJson());
        assertEquals("{\"kind\":\"move_task\",\"taskId\":\"task-1\",\"listId\":\"list-done\",\"position\":0}",
                Command.of(Command.Kind.MOVE_TASK, "taskId", "task-1", "listId", "list-done", "position", 0)
                        .canonicalJson());
    }

    @Test
    void theFingerprintIsTheSha256OfTheCanonicalFormAndStaysTheSame() {
        Command command = Command.of(Command.Kind.DELETE_TASK, "taskId", "task-1");
        assertEquals("{\"kind\":\"delete_task\",\"taskId\":\"task-1\"}", command.canonicalJson());
        // sha256sum of the line above, without its newline, pinned
        assertEquals("60064192321c0210304325efe62a10f0d2660422de098ffc7feb1c8f268ef048", command.fingerprint());
        assertNotEquals(command.fingerprint(), Command.of(Command.Kind.DELETE_TASK, "taskId", "task-2").fingerprint());
        // a field absent from a partial update is another command than the same field given as null
        assertNotEquals(Command.of(Command.Kind.UPDATE_TASK, "taskId", "task-1").fingerprint(),
                Command.of(Command.Kind.UPDATE_TASK, "taskId", "task-1", "assigneeId", null).fingerprint());
    }
}
