package io.liveboard.realtime;

import io.liveboard.auth.User;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>A crowd (a room of more than {@code crowd} WebSocket sessions) is not told of each arrival and departure,
 * which would cost every member a message per join: they are counted, and the room gets one
 * {@code presence_changed} with the counts {@code window} after the first of them; changes while that one is
 * pending are counted in it too. So a member gets at most one presence message per window however fast the
 * room fills or empties, and a burst of N joins costs O(N) messages, not O(N²).
 *
 * <p>Across nodes, the {@link PresenceDirectory} answers who is on the board and how many sessions its room has
 * everywhere: a user is announced when its first tab anywhere arrives and its last anywhere leaves, {@code viewers}
 * counts every node's sessions, the crowd rule applies to that count (each node coalesces its own room's
 * announcements), and typing reaches every node's room. The other nodes' news comes through the directory.
 *
 * <p>Changes ({@link #arrived}, {@link #departed}, {@link #typing}) must run on the fan-out thread, so that
 * announcements keep their order with joins and events; {@link #users} may be read from any thread.
 */
public final class Presence {

    /** Some of a board's users, in order of arrival, and how many there are in all. */
    public record Page(List<User> users, int total) {

        /** Whether the page leaves users out. */
        public boolean partial() {
            return users.size() < total;
        }

        /**
         * {@code {boardId, users, total}} as the {@code presence} message and {@code GET …/presence} carry it;
         * {@code total} only when the page leaves users out.
         */
        public Map<String, Object> fields(String boardId) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("boardId", boardId);
            fields.put("users", users);
            if (partial()) {
                fields.put("total", total);
            }
            return fields;
        }
    }

    /** A crowd's arrivals and departures not yet announced. */
    private static final class Tally {
        int joined;
        int left;
    }

    /**
     * One user on one board: its tabs, and while it is typing, the pending end of that, the tab it types in and
     * the task it types on, if it said (all null when not typing).
     */
    private static final class Viewer {
        final User user;
        final Set<Connection> tabs = new HashSet<>();
        ScheduledFuture<?> typing;
        Connection typingTab;
        String typingTaskId;
        /** Which {@code typing} the pending end belongs to: a later one makes an earlier end stale. */
        long typingRound;

        Viewer(User user) {
            this.user = user;
        }
    }

    private final RoomRegistry websockets;
    private final PresenceDirectory directory;
    private final Consumer<Runnable> fanoutThread;
    private final ScheduledExecutorService scheduler;
    private final Duration typingTimeout;
    private final int crowd;
    private final Duration window;
    private final Map<String, Map<String, Viewer>> boards = new LinkedHashMap<>();
    /** The crowds with an announcement pending; only the fan-out thread touches it. */
    private final Map<String, Tally> tallies = new HashMap<>();

    /** Presence within this process (a {@link LocalPresenceDirectory}). */
    public Presence(RoomRegistry websockets, Consumer<Runnable> fanoutThread, ScheduledExecutorService scheduler,
            Duration typingTimeout, int crowd, Duration window) {
        this(websockets, new LocalPresenceDirectory(websockets), fanoutThread, scheduler, typingTimeout, crowd, window);
    }

    /**
     * {@code fanoutThread} runs a task on the fan-out thread (typing timeouts, a crowd's announcements and the
     * other nodes' news go there); {@code directory} answers for every node.
     */
    public Presence(RoomRegistry websockets, PresenceDirectory directory, Consumer<Runnable> fanoutThread,
            ScheduledExecutorService scheduler, Duration typingTimeout, int crowd, Duration window) {
        this.websockets = websockets;
        this.directory = directory;
        this.fanoutThread = fanoutThread;
        this.scheduler = scheduler;
        this.typingTimeout = typingTimeout;
        this.crowd = crowd;
        this.window = window;
        directory.listen(new PresenceDirectory.Listener() {
            @Override
            public void joined(String boardId, User user) {
                fanoutThread.accept(() -> announce(true, boardId, user, null));
            }

            @Override
            public void left(String boardId, User user) {
                fanoutThread.accept(() -> announce(false, boardId, user, null));
            }

            @Override
            public void typing(String boardId, User user, boolean typing, String taskId) {
                fanoutThread.accept(() -> typingMessage(boardId, user, typing, taskId, null, false));
            }
        });
    }

    /** The users viewing the board (on every node) from the {@code offset}-th on, at most {@code limit} of them. */
    public Page users(String boardId, int offset, int limit) {
        return directory.users(boardId, offset, limit);
    }

    /** How many users are viewing the board, on every node. */
    public int count(String boardId) {
        return directory.count(boardId);
    }

    /** How many WebSocket sessions the board's room has, on every node. */
    public int viewers(String boardId) {
        return directory.viewers(boardId);
    }

    /** What a joiner is told: the first {@code crowd} users. */
    public Page firstPage(String boardId) {
        return users(boardId, 0, crowd);
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
        if (directory.arrived(boardId, user, connection.transport(), first)) {
            announce(true, boardId, user, connection.id());
        }
    }

    /** The connection's tab left the board; announces the user's leaving if it was its last. */
    public void departed(String boardId, Connection connection) {
        User user = connection.user();
        boolean last;
        String typedOn = null;
        boolean wasTyping = false;
        synchronized (this) {
            Map<String, Viewer> viewers = boards.get(boardId);
            Viewer viewer = viewers == null ? null : viewers.get(user.userId());
            if (viewer == null || !viewer.tabs.remove(connection)) {
                return;
            }
            last = viewer.tabs.isEmpty();
            if (last || viewer.typingTab == connection) {
                typedOn = viewer.typingTaskId;
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
            typingMessage(boardId, user, false, typedOn, connection.id(), true);
        }
        if (directory.departed(boardId, user, connection.transport(), last)) {
            announce(false, boardId, user, null);
        }
    }

    /**
     * The connection's user starts ({@code on}) or stops typing on the board, on the task {@code taskId} if it
     * says (null: the board); the others are told when that changes (typing on another task is a change). Returns
     * false if the connection is not viewing the board.
     */
    public boolean typing(String boardId, Connection connection, boolean on, String taskId) {
        User user = connection.user();
        boolean changed;
        String told;
        synchronized (this) {
            Map<String, Viewer> viewers = boards.get(boardId);
            Viewer viewer = viewers == null ? null : viewers.get(user.userId());
            if (viewer == null || !viewer.tabs.contains(connection)) {
                return false;
            }
            String before = viewer.typingTaskId;
            boolean was = stopTyping(viewer);
            if (on) {
                long round = ++viewer.typingRound;
                viewer.typing = scheduler.schedule(() -> fanoutThread.accept(() -> expire(boardId, viewer, round)),
                        typingTimeout.toMillis(), TimeUnit.MILLISECONDS);
                viewer.typingTab = connection;
                viewer.typingTaskId = taskId;
            }
            changed = was != on || (on && !Objects.equals(before, taskId));
            // stopping names the task the others were told about, so that they clear the right card
            told = on ? taskId : before;
        }
        if (changed) {
            typingMessage(boardId, user, on, told, connection.id(), true);
        }
        return true;
    }

    private void expire(String boardId, Viewer viewer, long round) {
        Connection tab;
        String taskId;
        synchronized (this) {
            if (viewer.typing == null || viewer.typingRound != round) {
                return; // stopped already, or typed again (a newer end is pending)
            }
            tab = viewer.typingTab;
            taskId = viewer.typingTaskId;
            stopTyping(viewer);
        }
        typingMessage(boardId, viewer.user, false, taskId, tab.id(), true);
    }

    private static boolean stopTyping(Viewer viewer) {
        if (viewer.typing == null) {
            return false;
        }
        viewer.typing.cancel(false);
        viewer.typing = null;
        viewer.typingTab = null;
        viewer.typingTaskId = null;
        return true;
    }

    /**
     * Tells the room that the user arrived or left: at once in a small room, else counted for the crowd's next
     * {@code presence_changed}.
     */
    private void announce(boolean arrived, String boardId, User user, String excludeId) {
        int viewers = directory.viewers(boardId);
        Tally tally = tallies.get(boardId);
        if (tally == null && viewers > crowd) {
            tally = new Tally();
            tallies.put(boardId, tally);
            schedule(window, () -> fanoutThread.accept(() -> announceCounts(boardId)));
        }
        if (tally != null) {
            if (arrived) {
                tally.joined++;
            } else {
                tally.left++;
            }
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("viewers", viewers);
        fields.put("user", user);
        websockets.broadcast(boardId, OutboundMessage.of(arrived ? "user_joined" : "user_left", boardId, fields,
                excludeId));
    }

    /** {@code presence_changed}: the crowd's counts now, and how many arrived and left since the last one. */
    private void announceCounts(String boardId) {
        Tally tally = tallies.remove(boardId);
        if (tally == null) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("viewers", directory.viewers(boardId));
        fields.put("total", directory.count(boardId));
        fields.put("joined", tally.joined);
        fields.put("left", tally.left);
        websockets.broadcast(boardId, OutboundMessage.of("presence_changed", boardId, fields));
    }

    private void schedule(Duration delay, Runnable task) {
        try {
            scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: nobody is left to tell
        }
    }

    /** Tells the room that the user types or stopped, and the other nodes too if the user types {@code here}. */
    private void typingMessage(String boardId, User user, boolean typing, String taskId, String excludeId,
            boolean here) {
        if (here) {
            directory.typing(boardId, user, typing, taskId);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("boardId", boardId);
        fields.put("user", user);
        fields.put("typing", typing);
        if (taskId != null) {
            fields.put("taskId", taskId);
        }
        websockets.broadcast(boardId, OutboundMessage.of("user_typing", boardId, fields, excludeId));
    }
}
