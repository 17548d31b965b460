package io.liveboard.realtime;

import io.liveboard.auth.User;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who is on each board on every node: the users (one entry each, however many tabs they have on however many
 * nodes, in order of their first arrival), the WebSocket sessions, and the news the other nodes tell. {@link Presence}
 * keeps this node's tabs and typing and talks to the rooms; the directory answers for the cluster. In one process
 * ({@link LocalPresenceDirectory}) the cluster is this node; between nodes a shared store keeps the directory, and
 * a node that dies leaves it within a time to live.
 *
 * <p>Threads: {@link #arrived}, {@link #departed} and {@link #typing} run on the fan-out thread, one at a time;
 * the reads may run on any thread. News of other nodes reaches the {@link Listener} on a thread of the directory.
 * A directory that cannot reach its store answers from what this node knows rather than throw.
 */
public interface PresenceDirectory extends AutoCloseable {

    /** What the other nodes tell; called on a thread of the directory, never for this node's own news. */
    interface Listener {
        /** The user's first tab anywhere arrived at the board. */
        void joined(String boardId, User user);

        /** The user's last tab anywhere left the board (or its node died). */
        void left(String boardId, User user);

        /** The user started or stopped typing on the board (on the task {@code taskId}, or null: the board). */
        void typing(String boardId, User user, boolean typing, String taskId);
    }

    /** One node's connections: in all, and per board (room sizes, {@code websocket} and {@code sse}, by board id). */
    record NodeCounts(int websocket, int sse, Map<String, Map<String, Integer>> boards) {

        /** This node's, from its WebSocket rooms and its SSE streams. */
        public static NodeCounts of(RoomRegistry websockets, RoomRegistry streams) {
            Map<String, Map<String, Integer>> boards = new TreeMap<>();
            websockets.roomSizes().forEach((id, n) -> board(boards, id).put("websocket", n));
            streams.roomSizes().forEach((id, n) -> board(boards, id).put("sse", n));
            return new NodeCounts(websockets.connectionCount(), streams.connectionCount(), boards);
        }

        /** The board's counts in {@code boards}, added as {@code websocket} 0 and {@code sse} 0 if absent. */
        public static Map<String, Integer> board(Map<String, Map<String, Integer>> boards, String boardId) {
            return boards.computeIfAbsent(boardId, id -> {
                Map<String, Integer> counts = new LinkedHashMap<>();
                counts.put("websocket", 0);
                counts.put("sse", 0);
                return counts;
            });
        }
    }

    /** Where the other nodes' news goes; set once, before the first arrival. */
    void listen(Listener listener);

    /**
     * A tab of the user (a {@code transport} session) arrived at the board on this node; {@code firstHere}: the user
     * had no other tab on this node. Returns whether it is the user's first tab anywhere (then the rooms of every node
     * are to be told: this node tells its own, the directory the others).
     */
    boolean arrived(String boardId, User user, Transport transport, boolean firstHere);

    /**
     * A tab of the user left the board on this node; {@code lastHere}: it was the user's last on this node. Returns
     * whether it was the user's last tab anywhere (every room is to be told, as for {@link #arrived}).
     */
    boolean departed(String boardId, User user, Transport transport, boolean lastHere);

    /** Tells the other nodes that the user started or stopped typing (this node tells its own room). */
    void typing(String boardId, User user, boolean typing, String taskId);

    /** The users on the board from the {@code offset}-th on, at most {@code limit} of them, and how many in all. */
    Presence.Page users(String boardId, int offset, int limit);

    /** How many users are on the board. */
    int count(String boardId);

    /** How many WebSocket sessions are in the board's room, on every node. */
    int viewers(String boardId);

    /** Each live node's connections by node id; empty when there is only this process to count. */
    default Map<String, NodeCounts> nodes() {
        return Map.of();
    }

    @Override
    void close();
}
