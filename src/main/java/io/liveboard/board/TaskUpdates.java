package io.liveboard.board;

import java.time.Instant;
import java.util.List;

/**
 * What changed on a board since a time: the tasks created or changed at or after it (list and position
 * order) and the ids of tasks deleted since. {@code timestamp} was read before the query, so asking again
 * with {@code since = timestamp} misses nothing (it may repeat a task changed in that same millisecond);
 * {@code seq} is the board's last event number as of the same moment. When events at or after the time are no
 * longer kept (retention), the changes cannot be told: {@code resync} is the whole board instead (else null).
 */
public record TaskUpdates(List<Task> data, List<String> deleted, Instant timestamp, long seq, BoardSnapshot resync) {
}
