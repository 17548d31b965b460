package io.liveboard.board;

import java.time.Instant;
import java.util.List;

/**
 * The boards an empty store starts with, so that the course's examples work as written: {@code board-1}
 * with lists {@code list-todo}, {@code list-doing}, {@code list-done}, {@code board-2} with its own
 * lists, and two users to assign tasks to ({@code user-1} Alice, {@code user-2} Bob). Ids come from the
 * store's counters, so later boards continue at {@code board-3}.
 */
public final class DemoData {

    private DemoData() {
    }

    /** Adds the demo data if the store has no board yet; returns whether it did. */
    public static boolean seedIfEmpty(BoardStore store, Instant now) {
        return store.write(tx -> {
            if (!tx.boards().isEmpty()) {
                return false;
            }
            tx.insertUser(tx.nextId("user"), "Alice", "alice@example.com");
            tx.insertUser(tx.nextId("user"), "Bob", "bob@example.com");
            board(tx, tx.nextId("board"), "Product launch", now, List.of("list-todo", "list-doing", "list-done"));
            board(tx, tx.nextId("board"), "Team retro", now, List.of("list-2-todo", "list-2-doing", "list-2-done"));
            return true;
        }, seeded -> { });
    }

    private static void board(BoardTransaction tx, String id, String name, Instant now, List<String> listIds) {
        tx.insertBoard(new Board(id, name, now));
        for (int i = 0; i < listIds.size(); i++) {
            tx.insertList(new TaskList(listIds.get(i), id, BoardService.DEFAULT_LISTS.get(i), i));
        }
    }
}
