package io.liveboard.realtime;

import io.liveboard.auth.User;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The presence directory of one process: this node's users, in order of arrival, and its WebSocket room sizes.
 * There are no other nodes to tell or to hear from. Thread-safe.
 */
public final class LocalPresenceDirectory implements PresenceDirectory {

    private final RoomRegistry websockets;
    private final Map<String, Map<String, User>> boards = new LinkedHashMap<>();

    public LocalPresenceDirectory(RoomRegistry websockets) {
        this.websockets = websockets;
    }

    @Override
    public void listen(Listener listener) {
        // nobody else to hear from
    }

    @Override
    public synchronized boolean arrived(String boardId, User user, Transport transport, boolean firstHere) {
        if (firstHere) {
            boards.computeIfAbsent(boardId, id -> new LinkedHashMap<>()).putIfAbsent(user.userId(), user);
        }
        return firstHere;
    }

    @Override
    public synchronized boolean departed(String boardId, User user, Transport transport, boolean lastHere) {
        if (lastHere) {
            Map<String, User> users = boards.get(boardId);
            if (users != null) {
                users.remove(user.userId());
                if (users.isEmpty()) {
                    boards.remove(boardId);
                }
            }
        }
        return lastHere;
    }

    @Override
    public void typing(String boardId, User user, boolean typing, String taskId) {
        // nobody else to tell
    }

    @Override
    public synchronized Presence.Page users(String boardId, int offset, int limit) {
        Map<String, User> users = boards.get(boardId);
        if (users == null) {
            return new Presence.Page(List.of(), 0);
        }
        List<User> page = new ArrayList<>(Math.min(limit, users.size()));
        int index = 0;
        for (User user : users.values()) {
            if (page.size() == limit) {
                break;
            }
            if (index++ >= offset) {
                page.add(user);
            }
        }
        return new Presence.Page(page, users.size());
    }

    @Override
    public synchronized int count(String boardId) {
        Map<String, User> users = boards.get(boardId);
        return users == null ? 0 : users.size();
    }

    @Override
    public int viewers(String boardId) {
        return websockets.size(boardId);
    }

    @Override
    public void close() {
    }
}
