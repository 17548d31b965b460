package io.liveboard.board;

import java.time.Instant;

/** A board: the unit of collaboration and the room clients join. */
public record Board(String id, String name, Instant createdAt) {
}
