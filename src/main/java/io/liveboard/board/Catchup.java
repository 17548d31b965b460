package io.liveboard.board;

import java.util.List;

/**
 * What a client that has seen a board's events up to some number needs next: the events after it, in order,
 * up to {@code seq}. When its number cannot be served (older than the kept log, ahead of the board, or of
 * another database: another {@code epoch}), {@code resync} is the whole board as of {@code seq} instead, and
 * there are no events. {@code more}: the events stopped at the asked limit; ask again from {@code seq}.
 * {@code live}: the client asked for no past events, only to start from the board's current number.
 */
public record Catchup(String boardId, String epoch, long seq, List<BoardEvent> events, BoardSnapshot resync,
        boolean more, boolean live) {
}
