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
 */
public final class RoomRegistry {

    /** The outcome of a join or leave: whether membership changed, and the room's size right after. */
    public record Membership(boolean changed, int size) {
    }

    private final ConcurrentHashMap<String, Set<Connection>> rooms = new ConcurrentHashMap<>();
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

    /** Puts the connection in the room (again: no change). Not a member of anything once removed. */
    public Membership join(String roomId, Connection connection) {
        Set<String> roomIds = joined.get(connection);
        if (roomIds == null) {
            return new Membership(false, size(roomId));
        }
        roomIds.add(roomId);
        boolean[] added = new boolean[1];
        Set<Connection> room = rooms.compute(roomId, (id, members) -> {
            Set<Connection> set = members == null ? ConcurrentHashMap.newKeySet() : members;
            added[0] = set.add(connection);
            return set;
        });
        int size = room.size();
        if (!joined.containsKey(connection)) {
            // removed while joining: undo, so that no closed connection stays in a room
            return new Membership(false, leaveRoom(roomId, connection).size());
        }
        return new Membership(added[0], size);
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
            removed[0] = members.remove(connection);
            size[0] = members.size();
            return members.isEmpty() ? null : members;
        });
        return new Membership(removed[0], size[0]);
    }

    /**
     * Sends the message to every open member of the room but the one it excludes
     * ({@link OutboundMessage#excludeId()}). Never blocks on a connection; returns how many it was handed to.
     */
    public int broadcast(String roomId, OutboundMessage message) {
        return broadcast(roomId, List.of(message));
    }

    /**
     * Sends the messages, in order and together, to every open member of the room, each member without
     * the messages that exclude it ({@link OutboundMessage#excludeId()}). Never blocks on a connection;
     * returns how many members it handed messages to.
     */
    public int broadcast(String roomId, List<OutboundMessage> messages) {
        Set<Connection> members = rooms.get(roomId);
        if (members == null) {
            return 0;
        }
        Set<String> excluded = new HashSet<>();
        for (OutboundMessage message : messages) {
            if (message.excludeId() != null) {
                excluded.add(message.excludeId());
            }
        }
        int sent = 0;
        for (Connection member : members) {
            if (!member.isOpen()) {
                continue;
            }
            if (!excluded.contains(member.id())) {
                member.send(messages);
                sent++;
            } else {
                List<OutboundMessage> own = messages.stream().filter(m -> !member.id().equals(m.excludeId())).toList();
                if (!own.isEmpty()) {
                    member.send(own);
                    sent++;
                }
            }
        }
        return sent;
    }

    public int size(String roomId) {
        Set<Connection> members = rooms.get(roomId);
        return members == null ? 0 : members.size();
    }

    public boolean isMember(String roomId, Connection connection) {
        Set<Connection> members = rooms.get(roomId);
        return members != null && members.contains(connection);
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
