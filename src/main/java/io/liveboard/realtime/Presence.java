package io.liveboard.realtime;

import io.liveboard.auth.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Who is viewing each board: one entry per user however many tabs (WebSocket rooms and SSE streams) it has
 * there, in order of arrival, and who is typing. The WebSocket room is told when a user's first tab arrives
 * ({@code user_joined}) or last tab leaves ({@code user_left}), and when a user starts or stops typing
 * ({@code user_typing}, never to the tab that types); typing stops by itself {@code typingTimeout} after the
 * last {@code typing}, and when the tab it was typed in leaves.
 *
 * <p>Changes ({@link #arrived}, {@link #departed}, {@link #typing}) must run on the fan-out thread, so that
 * announcements keep their order with joins and events; {@link #users} may be read from any thread.
 */
public final class Presence {

    /**
     * One user on one board: its tabs, and while it is typing, the pending end of that and the tab it types in
     * (both null when not typing).
     */
    private static final class Viewer {
        final User user;
        final Set<Connection> tabs = new HashSet<>();
        ScheduledFuture<?> typing;
        Connection typingTab;
        /** Which {@code typing} the pending end belongs to: a later one makes an earlier end stale. */
        long typingRound;

        Viewer(User user) {
            this.user = user;
        }
    }

    private final RoomRegistry websockets;
    private final Consumer<Runnable> fanoutThread;
    private final ScheduledExecutorService scheduler;
    private final Duration typingTimeout;
    private final Map<String, Map<String, Viewer>> boards = new LinkedHashMap<>();

    /** {@code fanoutThread} runs a task on the fan-out thread (typing timeouts go back there). */
    public Presence(RoomRegistry websockets, Consumer<Runnable> fanoutThread, ScheduledExecutorService scheduler,
            Duration typingTimeout) {
        this.websockets = websockets;
        this.fanoutThread = fanoutThread;
        this.scheduler = scheduler;
        this.typingTimeout = typingTimeout;
    }

    /** The users viewing the board, in order of arrival. */
    public synchronized List<User> users(String boardId) {
        Map<String, Viewer> viewers = boards.get(boardId);
        List<User> users = new ArrayList<>();
        if (viewers != null) {
            viewers.values().forEach(viewer -> users.add(viewer.user));
        }
        return users;
    }

    /** A tab of the connection's user is on the board now; announces the user if it is its first. */
    public void arrived(String boardId, Connection connection) {
        User user = connection.user();
        boolean first;
        synchronized (this) {
            Viewer viewer = boards.computeIfAbsent(boardId, id -> new LinkedHashMap<>())
                    .computeIfAbsent(user.userId(), id -> new Viewer(user));
            first = viewer.tabs.isEmpty();
            viewer.tabs.add(connection);
        }
        if (first) {
            announce("user_joined", boardId, user, connection.id());
        }
    }

    /** The connection's tab left the board; announces the user's leaving if it was its last. */
    public void departed(String boardId, Connection connection) {
        User user = connection.user();
        boolean last;
        boolean wasTyping = false;
        synchronized (this) {
            Map<String, Viewer> viewers = boards.get(boardId);
            Viewer viewer = viewers == null ? null : viewers.get(user.userId());
            if (viewer == null || !viewer.tabs.remove(connection)) {
                return;
            }
            last = viewer.tabs.isEmpty();
            if (last || viewer.typingTab == connection) {
                wasTyping = stopTyping(viewer);
            }
            if (last) {
                viewers.remove(user.userId());
                if (viewers.isEmpty()) {
                    boards.remove(boardId);
                }
            }
        }
        if (wasTyping) {
            typingMessage(boardId, user, false, connection.id());
        }
        if (last) {
            announce("user_left", boardId, user, null);
        }
    }

    /**
     * The connection's user starts ({@code on}) or stops typing on the board; the others are told when that
     * changes. Returns false if the connection is not viewing the board.
     */
    public boolean typing(String boardId, Connection connection, boolean on) {
        User user = connection.user();
        boolean changed;
        synchronized (this) {
            Map<String, Viewer> viewers = boards.get(boardId);
            Viewer viewer = viewers == null ? null : viewers.get(user.userId());
            if (viewer == null || !viewer.tabs.contains(connection)) {
                return false;
            }
            boolean was = stopTyping(viewer);
            if (on) {
                long round = ++viewer.typingRound;
                viewer.typing = scheduler.schedule(() -> fanoutThread.accept(() -> expire(boardId, viewer, round)),
                        typingTimeout.toMillis(), TimeUnit.MILLISECONDS);
                viewer.typingTab = connection;
            }
            changed = was != on;
        }
        if (changed) {
            typingMessage(boardId, user, on, connection.id());
        }
        return true;
    }

    private void expire(String boardId, Viewer viewer, long round) {
        Connection tab;
        synchronized (this) {
            if (viewer.typing == null || viewer.typingRound != round) {
                return; // stopped already, or typed again (a newer end is pending)
            }
            tab = viewer.typingTab;
            viewer.typing = null;
            viewer.typingTab = null;
        }
        typingMessage(boardId, viewer.user, false, tab.id());
    }

    private static boolean stopTyping(Viewer viewer) {
        if (viewer.typing == null) {
            return false;
        }
        viewer.typing.cancel(false);
        viewer.typing = null;
        viewer.typingTab = null;
        return true;
    }

    private void announce(String type, String boardId, User user, String excludeId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("viewers", websockets.size(boardId));
        fields.put("user", user);
        websockets.broadcast(boardId, OutboundMessage.of(type, boardId, fields, excludeId));
    }

    private void typingMessage(String boardId, User user, boolean typing, String excludeId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("user", user);
        fields.put("typing", typing);
        websockets.broadcast(boardId, OutboundMessage.of("user_typing", boardId, fields, excludeId));
    }
}
