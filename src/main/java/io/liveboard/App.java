package io.liveboard;

import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import io.liveboard.board.BoardService;
import io.liveboard.board.BoardStore;
import io.liveboard.board.DemoData;
import io.liveboard.cluster.RedisEventBus;
import io.liveboard.cluster.RedisPresenceDirectory;
import io.liveboard.cluster.RedisResources;
import io.liveboard.config.ClientTransport;
import io.liveboard.config.Config;
import io.liveboard.config.Database;
import io.liveboard.http.AdminRoutes;
import io.liveboard.http.BoardRoutes;
import io.liveboard.http.Gate;
import io.liveboard.http.JsonErrorHandler;
import io.liveboard.http.OriginPolicy;
import io.liveboard.http.PollRoutes;
import io.liveboard.http.PresenceRoutes;
import io.liveboard.http.Router;
import io.liveboard.http.StaticFiles;
import io.liveboard.http.TurnedOffTransports;
import io.liveboard.http.TaskRoutes;
import io.liveboard.metrics.MicrometerMetrics;
import io.liveboard.net.AddressConnectionLimit;
import io.liveboard.net.DirectWriteConnector;
import io.liveboard.net.HeaderDeadline;
import io.liveboard.net.ServerConnectionLimit;
import io.liveboard.realtime.EventBus;
import io.liveboard.realtime.Fanout;
import io.liveboard.realtime.Heartbeat;
import io.liveboard.realtime.LocalEventBus;
import io.liveboard.realtime.LongPolls;
import io.liveboard.realtime.LocalPresenceDirectory;
import io.liveboard.realtime.Presence;
import io.liveboard.realtime.PresenceDirectory;
import io.liveboard.realtime.RoomRegistry;
import io.liveboard.realtime.Transport;
import io.liveboard.sse.SseEndpoint;
import io.liveboard.store.PgBoardStore;
import io.liveboard.store.SqliteBoardStore;
import io.liveboard.ws.WsProtocol;
import io.liveboard.ws.WsServer;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part with {@code new}, in dependency order, and runs them. The network
 * side is built at construction; {@link #start()} binds the port first, and only then opens the store and
 * builds what uses it, so that a start that cannot listen leaves no database behind.
 */
public final class App {

    private static final Logger LOG = LoggerFactory.getLogger(App.class);
    private static final int GOING_AWAY = 1001;
    private static final Duration TYPING_TIMEOUT = Duration.ofSeconds(5);
    /** How often a crowd (see {@code --crowd}) is told how its presence changed. */
    private static final Duration CROWD_WINDOW = Duration.ofSeconds(1);
    private static final Duration HEADER_SWEEP = Duration.ofMillis(500);
    /** Connections the kernel may queue while the server is not accepting (capped by net.core.somaxconn). */
    private static final int ACCEPT_QUEUE = 1024;
    /** Several nodes: how long an event ahead of a missing one waits before the missing ones are read. */
    private static final Duration GAP_WAIT = Duration.ofMillis(100);
    /** Several nodes: how often the boards served are compared with the database, for events the bus lost. */
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

    private final Config config;
    private final UnaryOperator<BoardStore> storeWrapper;
    private final UnaryOperator<EventBus> busWrapper;
    private final Clock clock;
    private final MicrometerMetrics metrics = new MicrometerMetrics();
    private final RoomRegistry websockets = new RoomRegistry();
    private final RoomRegistry streams = new RoomRegistry();
    private final ScheduledExecutorService scheduler;
    private final QueuedThreadPool threads = new QueuedThreadPool();
    private final Server server;
    private final ServerConnector connector;
    private final ServerConnectionLimit connectionLimit;
    private final HeaderDeadline headerDeadline;
    private BoardStore store;
    /** With --redis: what the bus's and the presence directory's connections to Redis run on; else null. */
    private RedisResources redis;
    private EventBus bus;
    private Fanout fanout;
    private PresenceDirectory directory;

    public App(Config config) {
        this(config, UnaryOperator.identity());
    }

    /** An app whose store is wrapped by {@code storeWrapper} (tests that inject faults around the real store). */
    public App(Config config, UnaryOperator<BoardStore> storeWrapper) {
        this(config, storeWrapper, Clock.systemUTC());
    }

    /**
     * An app whose store is wrapped by {@code storeWrapper}, and whose boards, tokens and idempotency keys tell the
     * time by {@code clock} (tests that move time on, such as past a key's lifetime).
     */
    public App(Config config, UnaryOperator<BoardStore> storeWrapper, Clock clock) {
        this(config, storeWrapper, clock, UnaryOperator.identity());
    }

    /**
     * An app whose event bus is wrapped by {@code busWrapper} (tests of a node that commits and never publishes).
     */
    public App(Config config, UnaryOperator<BoardStore> storeWrapper, Clock clock, UnaryOperator<EventBus> busWrapper) {
        this.config = config;
        this.storeWrapper = storeWrapper;
        this.busWrapper = busWrapper;
        this.clock = clock;
        metrics.watch(Transport.WEBSOCKET, websockets);
        metrics.watch(Transport.SSE, streams);
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "liveboard-heartbeat");
            thread.setDaemon(true);
            return thread;
        });

        threads.setName("liveboard-http");
        server = new Server(threads);
        metrics.watch(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // every answer is what its Content-Type says: a browser must not guess HTML out of JSON or an event stream
        http.addCustomizer((request, responseHeaders) -> {
            responseHeaders.put("X-Content-Type-Options", "nosniff");
            return request;
        });
        connector = new DirectWriteConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        // long polls and SSE streams are quiet for a while by design; the connector must outlast them
        connector.setIdleTimeout(Math.max(60_000, config.longPollTimeout().plusSeconds(15).toMillis()));
        Counter refused = metrics.counter("liveboard.connections.refused",
                "TCP connections closed as they were accepted", "reason", "address");
        connector.addBean(new AddressConnectionLimit(config.maxConnectionsPerIp(), refused::increment));
        headerDeadline = new HeaderDeadline(config.headerTimeout());
        connector.addEventListener(headerDeadline);
        server.addConnector(connector);
        connectionLimit = ServerConnectionLimit.of(config.maxConnections(), server);
        server.addBean(connectionLimit);
        server.setErrorHandler(new JsonErrorHandler(config.maxBodyBytes()));
    }

    /** Binds the port, opens the store, and starts serving; if any of it fails, releases what was taken. */
    public App start() throws Exception {
        try {
            connector.open();
            openStore();
            server.start();
        } catch (Exception e) {
            stop();
            throw e;
        }
        every(config.sseHeartbeat(), new Heartbeat(streams));
        every(config.wsPingInterval(), new Heartbeat(websockets));
        every(HEADER_SWEEP, headerDeadline);
        if (config.auth() == AuthMode.OFF) {
            LOG.warn("Authentication is off: anyone who can reach port {} may read and change every board "
                    + "(start with --auth token to require signed tokens)", port());
        }
        LOG.info("Liveboard listening on port {} (pid={} {} max-connections={})", port(), ProcessHandle.current().pid(),
                config, connectionLimit.describe());
        return this;
    }

    /** Opens the store and builds everything that uses it, down to the handlers. */
    private void openStore() {
        store = storeWrapper.apply(openDatabase());
        if (DemoData.seedIfEmpty(store, clock.instant())) {
            LOG.info("Empty database: created demo boards board-1 and board-2");
        }
        if (config.redis() != null) {
            redis = new RedisResources();
        }
        bus = busWrapper.apply(redis == null ? new LocalEventBus() : RedisEventBus.connect(config.redis(), redis));
        BoardService boards = new BoardService(store, bus::publish, clock);
        Fanout.Backlog backlog = (boardId, seq) -> boards.catchUp(boardId, seq, null, Integer.MAX_VALUE);
        LongPolls polls;
        if (config.redis() == null) {
            polls = new LongPolls(threads);
            fanout = new Fanout(websockets, streams, polls, metrics, backlog);
        } else {
            // several nodes: the fan-out serves the boards that have members here, and puts their events in order
            polls = new LongPolls(threads, (boardId, seq) -> fanout.waiting(boardId, seq));
            fanout = Fanout.ordered(websockets, streams, polls, metrics, backlog, bus, boards::heads, GAP_WAIT,
                    SWEEP_EVERY);
        }
        bus.subscribe(fanout);
        Counter published = metrics.counter("liveboard.events.published", "Committed board events published");
        bus.subscribe(event -> published.increment());

        Gate gate = new Gate(config.auth(), config.auth() == AuthMode.TOKEN ? new JwtTokens(config.jwtSecret(), clock)
                : null);
        // who is on a board: this process, or with --redis every node of the cluster
        directory = redis == null ? new LocalPresenceDirectory(websockets)
                : RedisPresenceDirectory.connect(config.redis(), redis, websockets, streams, config.presenceTtl());
        Presence presence = new Presence(websockets, directory, fanout::run, scheduler, TYPING_TIMEOUT,
                config.crowd(), CROWD_WINDOW);
        OriginPolicy origins = new OriginPolicy(config.allowedOrigins());
        Router router = new Router(config.maxBodyBytes(), metrics, gate, origins);
        new AdminRoutes(websockets, streams, directory, metrics::scrape, this::failing).register(router);
        new BoardRoutes(boards).register(router);
        new TaskRoutes(boards).register(router);
        new PollRoutes(boards, polls, config.longPollTimeout(), threads).register(router);
        new PresenceRoutes(boards, presence).register(router);
        new SseEndpoint(boards, streams, fanout, presence, origins, scheduler, config.sseRetry(),
                config.maxQueuedBytes(), metrics).register(router);

        WsProtocol protocol = new WsProtocol(boards, websockets, fanout, presence, gate, scheduler, clock);
        WsServer ws = new WsServer(protocol, new WsServer.Limits(config.wsPingInterval().multipliedBy(3),
                config.maxBodyBytes(), config.maxQueuedBytes(), config.wsRate()), origins, metrics, scheduler);
        // request bodies are read without holding a thread (a slow sender holds only its connection), up to one
        // byte past the limit: the router answers 413 with the limit, larger bodies are refused while they come
        EagerContentHandler bodies = new EagerContentHandler(router,
                new EagerContentHandler.RetainedContentLoaderFactory(config.maxBodyBytes() + 1L, 0, true));
        // the page's files answer GET and HEAD of their own paths; everything else goes on to the routes
        StaticFiles files = config.webRoot() == null ? StaticFiles.fromClassPath("web", bodies)
                : StaticFiles.fromFolder(config.webRoot(), bodies);
        // the transports left out of --transports are refused before a file or a route could answer them
        CrossOriginHandler cors = origins.crossOriginHandler(new TurnedOffTransports(config.transports(), files));
        if (config.transports().contains(ClientTransport.WS)) {
            WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, ws::configure);
            upgrade.setHandler(cors);
            server.setHandler(upgrade);
        } else {
            server.setHandler(cors);
        }
    }

    /** The SQLite file, or the PostgreSQL database, that {@code --db} names. */
    private BoardStore openDatabase() {
        if (config.db() instanceof Database.Postgres pg) {
            return PgBoardStore.open(pg.jdbcUrl(), pg.user(), pg.password(), config.retention());
        }
        return SqliteBoardStore.open(((Database.SqliteFile) config.db()).file(), config.retention());
    }

    /** The workers that have died (their names), for {@code /healthz}. */
    private List<String> failing() {
        List<String> failing = new ArrayList<>();
        if (!store.healthy()) {
            failing.add("store-writer");
        }
        if (!fanout.healthy()) {
            failing.add("fanout");
        }
        return failing;
    }

    private void every(Duration interval, Runnable task) {
        scheduler.scheduleAtFixedRate(task, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    /** Says goodbye to every client (WebSocket close 1001, SSE end of stream), stops serving, closes the store. */
    public void stop() {
        scheduler.shutdownNow();
        websockets.forEachConnection(c -> c.close(GOING_AWAY, "server shutting down"));
        streams.forEachConnection(c -> c.close(GOING_AWAY, "server shutting down"));
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the HTTP server failed", e);
        }
        connector.close(); // bound but never started, when the start failed
        if (directory != null) {
            directory.close(); // with Redis: the users only here leave presence now, not a time to live later
        }
        if (bus != null) {
            bus.close();
        }
        if (redis != null) {
            redis.close(); // after the bus and the directory, whose connections run on it
        }
        if (fanout != null) {
            fanout.close();
        }
        metrics.close();
        if (store != null) {
            store.close();
        }
        LOG.info("Liveboard stopped");
    }
}
