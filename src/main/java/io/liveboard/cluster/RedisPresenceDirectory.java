package io.liveboard.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.liveboard.auth.User;
import io.liveboard.config.RedisUrl;
import io.liveboard.json.Json;
import io.liveboard.logging.LogThrottle;
import io.liveboard.realtime.Presence;
import io.liveboard.realtime.PresenceDirectory;
import io.liveboard.realtime.RoomRegistry;
import io.liveboard.realtime.Transport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence directory of several nodes, kept in Redis (see {@link PresenceScripts} for the keys). Each node has a
 * random id and writes, per board it has users on, its own users (with their arrival number, for order), their tab
 * counts and its WebSocket and SSE sessions, under keys with a time to live that it refreshes every third of it. A
 * user's first arrival and last departure anywhere are decided by one atomic script, so exactly one node announces
 * each. News goes to the other nodes on channel {@code liveboard:presence:<boardId>}, which a node subscribes to
 * while it has users on the board. On every refresh a node also takes the nodes past their time off its boards and
 * announces the users who were only there: a node that dies takes its users out of presence within about the time to
 * live. A node also keeps its connection counts in {@code liveboard:node:<id>} for {@code /admin/connections}.
 *
 * <p>Threads: changes on the fan-out thread (one Redis round trip each); refreshes on a thread of its own; news of
 * other nodes on Lettuce's thread. When Redis cannot be reached, a node answers from what it knows itself (its own
 * users, its own sessions) and writes its entries again once Redis is back. A change or read waits for Redis at most
 * {@link #CALL_TIMEOUT}; once one has failed (refused, or no answer in time), the node takes Redis for out of reach
 * and answers on its own at once, without asking, until a probe every {@link #PROBE_EVERY} on the refresh thread gets
 * an answer again. So a Redis that stops answering holds up the delivery of events for at most that one timeout.
 */
public final class RedisPresenceDirectory implements PresenceDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(RedisPresenceDirectory.class);
    private static final String PREFIX = "liveboard:presence:";
    private static final String NODES = "liveboard:nodes";
    private static final String NODE = "liveboard:node:";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** How long a change or a read (on the fan-out thread, or a request's) waits for Redis. */
    static final Duration CALL_TIMEOUT = Duration.ofMillis(500);
    /** How often a node that took Redis for out of reach asks it again. */
    static final Duration PROBE_EVERY = Duration.ofMillis(250);
    /**
     * How long after Redis answers again a node waits before it tells the others what they missed: by then they
     * have found Redis back and subscribed again (Lettuce reconnects within a second).
     */
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Map<String, String> DIGESTS = new ConcurrentHashMap<>();

    /** A user of this node on one board: what this node has written to Redis, to write again if Redis lost it. */
    private static final class Here {
        final User user;
        int tabs;
        /** Its arrival number, as Redis gave it; empty until then. */
        String order = "";

        Here(User user) {
            this.user = user;
        }
    }

    /** A user's first arrival ({@code arrived}) or last departure that only this node's room heard of. */
    private record Untold(User user, boolean arrived) {
    }

    private final String node = UUID.randomUUID().toString();
    private final Duration ttl;
    private final RoomRegistry websockets;
    private final RoomRegistry streams;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> subscriptions;
    private final ScheduledExecutorService refresher;
    private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(10));
    /** This node's users per board; guarded by {@code this}. */
    private final Map<String, Map<String, Here>> boards = new HashMap<>();
    /** Boards whose entries a failed change left behind this node's own count: the next refresh writes them anew. */
    private final Set<String> stale = new HashSet<>();
    /**
     * Per board, by user id: arrivals and departures this node told only its own room, Redis being out of reach; the
     * other nodes are told once it answers again ({@link #tellUntold}). Guarded by {@code this}.
     */
    private final Map<String, Map<String, Untold>> untold = new HashMap<>();
    private volatile Listener listener;
    private volatile boolean closed;
    /** False from a failed call until a probe gets an answer: meanwhile nothing asks Redis but the probe. */
    private volatile boolean reachable = true;
    /** When (System.nanoTime) the probe last found Redis back. */
    private volatile long reachableSince = System.nanoTime();

    private RedisPresenceDirectory(RedisUrl url, RedisResources resources, RoomRegistry websockets,
            RoomRegistry streams, Duration ttl) {
        this.ttl = ttl;
        this.websockets = websockets;
        this.streams = streams;
        client = RedisClient.create(resources.lettuce(), RedisURI.create(url.url()));
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect();
            subscriptions = client.connectPubSub();
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            client.shutdown();
            throw new IllegalStateException("cannot reach Redis at " + url + ": " + e.getMessage(), e);
        }
        connection = commands;
        subscriptions.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received(channel.substring(PREFIX.length()), message);
            }
        });
        refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "liveboard-presence-refresh");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, ttl.toMillis() / 3);
        refresher.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
        refresher.scheduleWithFixedDelay(this::probe, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to the Redis at {@code url}, on the node's {@code resources}; the node's entries live {@code ttl}
     * unless refreshed (every third of it), so a dead node's users leave within about {@code ttl} and a third.
     *
     * @throws IllegalStateException when Redis cannot be reached
     */
    public static RedisPresenceDirectory connect(RedisUrl url, RedisResources resources, RoomRegistry websockets,
            RoomRegistry streams, Duration ttl) {
        return new RedisPresenceDirectory(url, resources, websockets, streams, ttl);
    }

    /** This node's id in Redis (and in {@code /admin/connections}). */
    public String nodeId() {
        return node;
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public boolean arrived(String boardId, User user, Transport transport, boolean firstHere) {
        boolean first;
        // under the lock from this node's count to Redis, so that a rewrite (refresh) never lands between them
        synchronized (this) {
            Map<String, Here> users = boards.computeIfAbsent(boardId, id -> new HashMap<>());
            boolean follow = users.isEmpty();
            Here here = users.computeIfAbsent(user.userId(), id -> new Here(user));
            here.tabs++;
            try {
                if (follow) {
                    // before the joiner is told anything: from then on it hears of every arrival elsewhere
                    follow(boardId);
                }
                List<Object> reply = call(PresenceScripts.ARRIVE, ScriptOutputType.MULTI,
                        new String[] {nodesKey(boardId), nodeKey(boardId, node), PREFIX + boardId + ":order"},
                        node, user.userId(), Json.write(user), sessions(websockets, boardId),
                        sessions(streams, boardId), String.valueOf(ttl.toMillis()), nodePrefix(boardId),
                        String.valueOf(here.tabs));
                here.order = String.valueOf(reply.get(1));
                first = ((Long) reply.get(0)) == 1;
            } catch (RuntimeException e) {
                failed("A user's arrival", e);
                stale.add(boardId);
                if (firstHere) {
                    untold(boardId, user, true);
                }
                return firstHere;
            }
        }
        if (first) {
            tell(boardId, "joined", user, false, null);
        }
        return first;
    }

    @Override
    public boolean departed(String boardId, User user, Transport transport, boolean lastHere) {
        boolean last;
        synchronized (this) {
            Map<String, Here> users = boards.get(boardId);
            Here here = users == null ? null : users.get(user.userId());
            int tabs = here == null ? 0 : --here.tabs;
            boolean unfollow = false;
            if (here != null && tabs <= 0) {
                users.remove(user.userId());
                if (users.isEmpty()) {
                    boards.remove(boardId);
                    stale.remove(boardId);
                    unfollow = true;
                }
            }
            try {
                if (unfollow) {
                    subscriptions.async().unsubscribe(PREFIX + boardId);
                }
                List<Object> reply = call(PresenceScripts.DEPART, ScriptOutputType.MULTI,
                        new String[] {nodesKey(boardId), nodeKey(boardId, node)}, node, user.userId(),
                        sessions(websockets, boardId), sessions(streams, boardId), nodePrefix(boardId),
                        String.valueOf(Math.max(0, tabs)));
                last = ((Long) reply.get(0)) == 1;
            } catch (RuntimeException e) {
                failed("A user's departure", e);
                if (boards.containsKey(boardId)) {
                    stale.add(boardId);
                }
                if (lastHere) {
                    untold(boardId, user, false);
                }
                return lastHere;
            }
        }
        if (last) {
            tell(boardId, "left", user, false, null);
        }
        return last;
    }

    /** Notes news the other nodes missed; an arrival and a departure of the same user cancel out. */
    private void untold(String boardId, User user, boolean arrived) {
        assert Thread.holdsLock(this);
        Map<String, Untold> users = untold.computeIfAbsent(boardId, id -> new HashMap<>());
        if (users.remove(user.userId()) == null) {
            users.put(user.userId(), new Untold(user, arrived));
        }
        if (users.isEmpty()) {
            untold.remove(boardId);
        }
    }

    @Override
    public void typing(String boardId, User user, boolean typing, String taskId) {
        tell(boardId, "typing", user, typing, taskId);
    }

    @Override
    public Presence.Page users(String boardId, int offset, int limit) {
        try {
            List<Object> reply = call(PresenceScripts.USERS, ScriptOutputType.MULTI,
                    new String[] {nodesKey(boardId)}, nodePrefix(boardId), String.valueOf(offset),
                    String.valueOf(limit));
            List<User> page = new ArrayList<>(reply.size() - 1);
            for (int i = 1; i < reply.size(); i++) {
                page.add(user((String) reply.get(i)));
            }
            return new Presence.Page(page, ((Long) reply.get(0)).intValue());
        } catch (RuntimeException e) {
            failed("Reading a board's users", e);
            List<User> all;
            synchronized (this) {
                all = boards.getOrDefault(boardId, Map.of()).values().stream()
                        .sorted(Comparator.comparingLong((Here here) -> here.order.isEmpty() ? Long.MAX_VALUE
                                : Long.parseLong(here.order)))
                        .map(here -> here.user).toList();
            }
            int from = Math.min(offset, all.size());
            int to = (int) Math.min(all.size(), (long) from + limit);
            return new Presence.Page(List.copyOf(all.subList(from, to)), all.size());
        }
    }

    @Override
    public int count(String boardId) {
        return users(boardId, 0, 0).total();
    }

    @Override
    public int viewers(String boardId) {
        try {
            return ((Long) call(PresenceScripts.VIEWERS, ScriptOutputType.INTEGER,
                    new String[] {nodesKey(boardId)}, nodePrefix(boardId))).intValue();
        } catch (RuntimeException e) {
            failed("Counting a board's sessions", e);
            return websockets.size(boardId);
        }
    }

    @Override
    public Map<String, NodeCounts> nodes() {
        Map<String, NodeCounts> nodes = new TreeMap<>();
        try {
            List<Object> reply = call(PresenceScripts.NODES, ScriptOutputType.MULTI, new String[] {NODES},
                    NODE);
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                nodes.put((String) reply.get(i), counts((String) reply.get(i + 1)));
            }
        } catch (RuntimeException e) {
            failed("Reading the nodes' connections", e);
        }
        nodes.put(node, ownCounts()); // this node's as they are now
        return nodes;
    }

    /** Renews this node's entries, writes again what Redis lost, and takes dead nodes off this node's boards. */
    private void refresh() {
        if (closed || !reachable) {
            return; // the probe refreshes once Redis answers again
        }
        List<String> boardIds;
        synchronized (this) {
            boardIds = new ArrayList<>(boards.keySet());
        }
        try {
            RedisCommands<String, String> redis = redis();
            if (!boardIds.isEmpty()) {
                // again (no change), in case a subscription was refused while Redis was out of reach
                subscriptions.sync().subscribe(boardIds.stream().map(id -> PREFIX + id).toArray(String[]::new));
            }
            for (String boardId : boardIds) {
                Long kept = run(redis, PresenceScripts.REFRESH, ScriptOutputType.INTEGER,
                        new String[] {nodesKey(boardId), nodeKey(boardId, node), PREFIX + boardId + ":order"}, node,
                        String.valueOf(ttl.toMillis()), sessions(websockets, boardId), sessions(streams, boardId));
                rewrite(redis, boardId, kept == 0);
                reap(redis, boardId, "");
            }
            List<String> untoldBoards;
            synchronized (this) {
                untoldBoards = System.nanoTime() - reachableSince < SETTLE.toNanos() ? List.of()
                        : new ArrayList<>(untold.keySet());
            }
            for (String boardId : untoldBoards) {
                tellUntold(redis, boardId);
            }
            run(redis, PresenceScripts.PUT_NODE, ScriptOutputType.INTEGER, new String[] {NODES, NODE + node}, node,
                    Json.write(ownCounts()), String.valueOf(ttl.toMillis()));
        } catch (RuntimeException e) {
            reachable = false;
            failed("Refreshing this node's presence", e);
        }
    }

    /** While Redis is taken for out of reach: asks it (on the refresh thread) and, on an answer, refreshes at once. */
    private void probe() {
        if (reachable || closed) {
            return;
        }
        try {
            redis().ping();
        } catch (RuntimeException e) {
            return; // still out of reach (the refresh says so in the log)
        }
        LOG.info("Redis answers again: this node's presence goes through it again");
        reachableSince = System.nanoTime();
        reachable = true;
        refresh();
    }

    /**
     * Writes this node's entries of the board anew from what it knows, if Redis lost them ({@code lost}) or a failed
     * change left them behind; under the lock, so that no change of this node falls between its count and the write.
     */
    private synchronized void rewrite(RedisCommands<String, String> redis, String boardId, boolean lost) {
        Map<String, Here> users = boards.get(boardId);
        if (users == null || (!lost && !stale.contains(boardId))) {
            return;
        }
        List<String> args = new ArrayList<>();
        args.add(node);
        args.add(String.valueOf(ttl.toMillis()));
        for (Here here : users.values()) {
            Collections.addAll(args, "t:" + here.user.userId(), String.valueOf(here.tabs),
                    "u:" + here.user.userId(), Json.write(here.user), "o:" + here.user.userId(), here.order);
        }
        Collections.addAll(args, "ws", sessions(websockets, boardId), "sse", sessions(streams, boardId));
        List<Object> numbered = run(redis, PresenceScripts.REWRITE, ScriptOutputType.MULTI,
                new String[] {nodesKey(boardId), nodeKey(boardId, node), PREFIX + boardId + ":order"},
                args.toArray(String[]::new));
        for (int i = 0; i + 1 < numbered.size(); i += 2) {
            Here here = users.get((String) numbered.get(i));
            if (here != null) {
                here.order = (String) numbered.get(i + 1);
            }
        }
        stale.remove(boardId);
        LOG.info("Wrote this node's presence on board {} to Redis again ({} users)", boardId, users.size());
    }

    /**
     * Tells the other nodes the arrivals and departures on the board that only this node's room heard of, Redis
     * being out of reach then: a user who arrived and is on no other node joined; one who left, is not here and is on
     * no other node left. If this node has no user left on the board, its entries (as Redis may still have them) go.
     * Under the lock, so that no change of this node falls in between.
     */
    private synchronized void tellUntold(RedisCommands<String, String> redis, String boardId) {
        Map<String, Untold> users = untold.remove(boardId);
        if (users == null) {
            return;
        }
        Map<String, Here> here = boards.getOrDefault(boardId, Map.of());
        Set<String> told = new HashSet<>();
        List<Object> elsewhere;
        try {
            if (here.isEmpty()) {
                reap(redis, boardId, node).forEach(user -> told.add(user.userId()));
            }
            List<String> args = new ArrayList<>(List.of(node, nodePrefix(boardId)));
            args.addAll(users.keySet());
            elsewhere = run(redis, PresenceScripts.ELSEWHERE, ScriptOutputType.MULTI,
                    new String[] {nodesKey(boardId)}, args.toArray(String[]::new));
        } catch (RuntimeException e) {
            users.keySet().removeAll(told);
            untold.merge(boardId, users, (newer, mine) -> {
                mine.putAll(newer);
                return mine;
            }); // for the next time Redis answers
            throw e;
        }
        int news = told.size();
        for (Untold one : users.values()) {
            String userId = one.user().userId();
            if (elsewhere.contains(userId) || told.contains(userId) || one.arrived() != here.containsKey(userId)) {
                continue;
            }
            tell(boardId, one.arrived() ? "joined" : "left", one.user(), false, null);
            news++;
        }
        LOG.info("Told the other nodes of {} arrival(s) and departure(s) on board {} while Redis was out of reach",
                news, boardId);
    }

    /**
     * Takes dead nodes (and {@code stopping}, if not empty) off the board; their users who were only there leave
     * (told to the other nodes, and to this node's room unless {@code stopping}). Returns those users.
     */
    private List<User> reap(RedisCommands<String, String> redis, String boardId, String stopping) {
        List<Object> gone = run(redis, PresenceScripts.REAP, ScriptOutputType.MULTI,
                new String[] {nodesKey(boardId)}, nodePrefix(boardId), stopping);
        Listener here = listener;
        List<User> users = new ArrayList<>(gone.size());
        for (Object json : gone) {
            User user = user((String) json);
            users.add(user);
            tell(boardId, "left", user, false, null);
            if (here != null && stopping.isEmpty()) {
                here.left(boardId, user);
            }
        }
        return users;
    }

    /** Publishes news for the other nodes, fire-and-forget. */
    private void tell(String boardId, String kind, User user, boolean typing, String taskId) {
        if (closed || !reachable) {
            return;
        }
        Map<String, Object> news = new LinkedHashMap<>();
        news.put("node", node);
        news.put("kind", kind);
        news.put("user", user);
        news.put("typing", typing);
        news.put("taskId", taskId);
        try {
            connection.async().publish(PREFIX + boardId, Json.write(news)).whenComplete((receivers, failure) -> {
                if (failure != null) {
                    failed("Telling the other nodes", failure);
                }
            });
        } catch (RuntimeException e) {
            failed("Telling the other nodes", e);
        }
    }

    private void received(String boardId, String message) {
        Listener here = listener;
        try {
            Map<String, Object> news = Json.readMap(message);
            if (here == null || node.equals(news.get("node"))) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) news.get("user");
            User user = new User((String) fields.get("userId"), (String) fields.get("name"));
            switch (String.valueOf(news.get("kind"))) {
                case "joined" -> here.joined(boardId, user);
                case "left" -> here.left(boardId, user);
                case "typing" -> here.typing(boardId, user, Boolean.TRUE.equals(news.get("typing")),
                        (String) news.get("taskId"));
                default -> LOG.debug("Ignored presence news of an unknown kind: {}", message);
            }
        } catch (RuntimeException e) {
            failed("Reading another node's news", e);
        }
    }

    private NodeCounts ownCounts() {
        return NodeCounts.of(websockets, streams);
    }

    @SuppressWarnings("unchecked")
    private static NodeCounts counts(String json) {
        Map<String, Object> fields = Json.readMap(json);
        Map<String, Map<String, Integer>> rooms = new TreeMap<>();
        ((Map<String, Map<String, Number>>) fields.getOrDefault("boards", Map.of())).forEach((id, counts) -> {
            Map<String, Integer> room = NodeCounts.board(rooms, id);
            counts.forEach((transport, n) -> room.put(transport, n.intValue()));
        });
        return new NodeCounts(((Number) fields.get("websocket")).intValue(), ((Number) fields.get("sse")).intValue(),
                rooms);
    }

    private static User user(String json) {
        Map<String, Object> fields = Json.readMap(json);
        return new User((String) fields.get("userId"), (String) fields.get("name"));
    }

    /** Runs the script by its digest, sending its text only when Redis does not have it (a restarted Redis). */
    private static <T> T run(RedisCommands<String, String> redis, String script, ScriptOutputType type,
            String[] keys, String... args) {
        String digest = DIGESTS.computeIfAbsent(script, RedisPresenceDirectory::sha1);
        try {
            return redis.evalsha(digest, type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script, type, keys, args);
        }
    }

    /**
     * Runs the script for a change or a read: refused at once while Redis is taken for out of reach, else waiting at
     * most {@link #CALL_TIMEOUT}; a failure takes Redis for out of reach.
     */
    private <T> T call(String script, ScriptOutputType type, String[] keys, String... args) {
        String digest = DIGESTS.computeIfAbsent(script, RedisPresenceDirectory::sha1);
        return guarded(() -> {
            RedisAsyncCommands<String, String> redis = connection.async();
            try {
                return await(redis.<T>evalsha(digest, type, keys, args));
            } catch (RedisNoScriptException e) {
                return await(redis.<T>eval(script, type, keys, args));
            }
        });
    }

    /** Subscribes to the board's news, refused and failing as {@link #call}. */
    private void follow(String boardId) {
        guarded(() -> await(subscriptions.async().subscribe(PREFIX + boardId)));
    }

    private <T> T guarded(Supplier<T> work) {
        if (!reachable || closed) {
            throw new IllegalStateException(closed ? "closed" : "Redis is out of reach");
        }
        try {
            return work.get();
        } catch (RuntimeException e) {
            reachable = false;
            throw e;
        }
    }

    private static <T> T await(RedisFuture<T> reply) {
        return LettuceFutures.awaitOrCancel(reply, CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private RedisCommands<String, String> redis() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        return connection.sync();
    }

    private void failed(String what, Throwable failure) {
        if (closed) {
            return; // stopping: what is left is answered from this node's own knowledge
        }
        long times = failures.next();
        if (times > 0) {
            LOG.warn("{} in Redis failed ({} time(s) lately), answering from this node's own presence: {}", what,
                    times, failure.toString());
        }
    }

    private static String sessions(RoomRegistry registry, String boardId) {
        return String.valueOf(registry.size(boardId));
    }

    private static String nodesKey(String boardId) {
        return PREFIX + boardId + ":nodes";
    }

    private static String nodePrefix(String boardId) {
        return PREFIX + boardId + ":node:";
    }

    private static String nodeKey(String boardId, String node) {
        return nodePrefix(boardId) + node;
    }

    /**
     * Stops as a node that dies would (tests): no more refreshes, the connections to Redis dropped, and its entries
     * left in Redis for the other nodes to find past their time.
     */
    public void abandon() {
        closed = true;
        shutdown();
    }

    /**
     * Leaves every board at once (the users who were only here leave presence now, not a time to live later), then
     * closes the connections to Redis.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        refresher.shutdownNow();
        List<String> boardIds;
        synchronized (this) {
            boardIds = new ArrayList<>(boards.keySet());
        }
        try {
            if (!reachable) {
                throw new IllegalStateException("Redis is out of reach: this node's entries will expire");
            }
            RedisCommands<String, String> redis = redis();
            for (String boardId : boardIds) {
                reap(redis, boardId, node);
            }
            redis.zrem(NODES, node);
            redis.del(NODE + node);
            redis.ping(); // one connection keeps order: the news of who left has gone out before it closes
        } catch (RuntimeException e) {
            failed("Leaving the boards", e);
        }
        closed = true;
        shutdown();
    }

    private void shutdown() {
        refresher.shutdownNow();
        try {
            subscriptions.close();
            connection.close();
        } finally {
            client.shutdown();
        }
    }
}
