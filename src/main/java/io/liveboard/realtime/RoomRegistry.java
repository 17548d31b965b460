package io.liveboard.realtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The connections of one transport and the rooms (boards) they joined. Thread-safe: joins, leaves and
 * broadcasts may run concurrently from any thread; a room is removed atomically when its last member
 * leaves, so no empty room stays behind. A connection must be {@link #add added} before it can join.
 *
 * <p>Each member has a position in its room's events: the {@code seq} of the last board event it was given.
 * A broadcast gives a member only the events after its position (and every message that is not a board
 * event), then moves the position on; so a member that joined with a replay up to some number does not get
 * those events a second time. Positions are meant to be moved by one thread (the fan-out's).
 */
public final class RoomRegistry {

    /** The outcome of a join or leave: whether membership changed, the room's size right after, and the
     * member's position (for a join; 0 for a leave). */
    public record Membership(boolean changed, int size, long seq) {
    }

    /** A member's position: the last event number it was given. */
    private static final class Position {
        long seq;

        Position(long seq) {
            this.seq = seq;
        }
    }

    private final ConcurrentHashMap<String, ConcurrentHashMap<Connection, Position>> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Connection, Set<String>> joined = new ConcurrentHashMap<>();

    public void add(Connection connection) {
        joined.putIfAbsent(connection, ConcurrentHashMap.newKeySet());
    }

    /** Forgets the connection and takes it out of every room; returns the rooms it was in. */
    public List<String> remove(Connection connection) {
        Set<String> roomIds = joined.remove(connection);
        if (roomIds == null) {
            return List.of();
        }
        List<String> left = new ArrayList<>();
        for (String roomId : roomIds) {
            if (leaveRoom(roomId, connection).changed()) {
                left.add(roomId);
            }
        }
        return left;
    }

    /** Puts the connection in the room at position 0 (again: no change). */
    public Membership join(String roomId, Connection connection) {
        return join(roomId, connection, 0);
    }

    /**
     * Puts the connection in the room with its position at event {@code seq}; a member already keeps its own
     * position (no change). Not a member of anything once removed.
     */
    public Membership join(String roomId, Connection connection, long seq) {
        Set<String> roomIds = joined.get(connection);
        if (roomIds == null) {
            return new Membership(false, size(roomId), seq);
        }
        roomIds.add(roomId);
        boolean[] added = new boolean[1];
        long[] position = new long[1];
        ConcurrentHashMap<Connection, Position> room = rooms.compute(roomId, (id, members) -> {
            ConcurrentHashMap<Connection, Position> map = members == null ? new ConcurrentHashMap<>() : members;
            Position existing = map.putIfAbsent(connection, new Position(seq));
            added[0] = existing == null;
            position[0] = existing == null ? seq : existing.seq;
            return map;
        });
        int size = room.size();
        if (!joined.containsKey(connection)) {
            // removed while joining: undo, so that no closed connection stays in a room
            return new Membership(false, leaveRoom(roomId, connection).size(), seq);
        }
        return new Membership(added[0], size, position[0]);
    }

    public Membership leave(String roomId, Connection connection) {
        Set<String> roomIds = joined.get(connection);
        if (roomIds != null) {
            roomIds.remove(roomId);
        }
        return leaveRoom(roomId, connection);
    }

    private Membership leaveRoom(String roomId, Connection connection) {
        boolean[] removed = new boolean[1];
        int[] size = new int[1];
        rooms.computeIfPresent(roomId, (id, members) -> {
            removed[0] = members.remove(connection) != null;
            size[0] = members.size();
            return members.isEmpty() ? null : members;
        });
        return new Membership(removed[0], size[0], 0);
    }

    /**
     * Sends the message to every open member of the room but the one it excludes
     * ({@link OutboundMessage#excludeId()}). Never blocks on a connection; returns how many it was handed to.
     */
    public int broadcast(String roomId, OutboundMessage message) {
        return broadcast(roomId, List.of(message));
    }

    /**
     * Sends the messages, in order and together, to every open member of the room: to each, the board events
     * after its position and every other message, without those that exclude it
     * ({@link OutboundMessage#excludeId()}); its position moves to the last event (an excluded one included:
     * the member caused it). Never blocks on a connection; returns how many members it handed messages to.
     */
    public int broadcast(String roomId, List<OutboundMessage> messages) {
        ConcurrentHashMap<Connection, Position> members = rooms.get(roomId);
        if (members == null) {
            return 0;
        }
        Set<String> excluded = new HashSet<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (OutboundMessage message : messages) {
            if (message.excludeId() != null) {
                excluded.add(message.excludeId());
            }
            if (message.seq() > 0) {
                first = Math.min(first, message.seq());
                last = Math.max(last, message.seq());
            }
        }
        int sent = 0;
        for (Map.Entry<Connection, Position> entry : members.entrySet()) {
            Connection member = entry.getKey();
            if (!member.isOpen()) {
                continue;
            }
            Position position = entry.getValue();
            List<OutboundMessage> own;
            if (first > position.seq && (excluded.isEmpty() || !excluded.contains(member.id()))) {
                own = messages; // the usual case: everything, as it is
            } else {
                long after = position.seq;
                own = messages.stream()
                        .filter(m -> (m.seq() == 0 || m.seq() > after) && !member.id().equals(m.excludeId()))
                        .toList();
            }
            position.seq = Math.max(position.seq, last);
            if (!own.isEmpty()) {
                member.send(own);
                sent++;
            }
        }
        return sent;
    }

    public int size(String roomId) {
        Map<Connection, Position> members = rooms.get(roomId);
        return members == null ? 0 : members.size();
    }

    public boolean isMember(String roomId, Connection connection) {
        Map<Connection, Position> members = rooms.get(roomId);
        return members != null && members.containsKey(connection);
    }

    /** The rooms the connection is in; a snapshot. */
    public List<String> roomIdsOf(Connection connection) {
        Set<String> roomIds = joined.get(connection);
        return roomIds == null ? List.of() : List.copyOf(roomIds);
    }

    /** How many rooms the connection is in. */
    public int roomsOf(Connection connection) {
        Set<String> roomIds = joined.get(connection);
        return roomIds == null ? 0 : roomIds.size();
    }

    public int connectionCount() {
        return joined.size();
    }

    public int roomCount() {
        return rooms.size();
    }

    /** Room id → member count, sorted by id; a snapshot. */
    public Map<String, Integer> roomSizes() {
        Map<String, Integer> sizes = new TreeMap<>();
        rooms.forEach((id, members) -> sizes.put(id, members.size()));
        return sizes;
    }

    public void forEachConnection(Consumer<Connection> action) {
        joined.keySet().forEach(action);
    }
}
