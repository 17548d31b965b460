package io.liveboard.config;

import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything that can be set from the command line or the environment ({@link ConfigParser}), with the
 * defaults a newcomer gets. Immutable; {@link #toBuilder()} makes a changed copy. A bad value fails the
 * construction with a message naming the flag.
 *
 * @param port                TCP port ({@code --port}); 0 picks a free one
 * @param host                address to listen on ({@code --host}); null: all
 * @param db                  the SQLite file or the PostgreSQL database ({@code --db})
 * @param longPollTimeout     how long {@code /poll} waits for a change ({@code --long-poll-timeout})
 * @param sseHeartbeat        interval of {@code : heartbeat} comments ({@code --sse-heartbeat})
 * @param sseRetry            the {@code retry:} sent to SSE clients ({@code --sse-retry})
 * @param wsPingInterval      WebSocket ping interval; a peer that misses a pong is closed ({@code --ws-ping})
 * @param maxBodyBytes        largest accepted request body or WebSocket message ({@code --max-body})
 * @param maxQueuedBytes      outbound bytes that may wait for one connection behind its write under way before
 *                            it is closed as too slow
 *                            ({@code --max-queued})
 * @param retention           events kept per board for clients to resume from ({@code --retention})
 * @param auth                {@code off} (everyone a guest) or {@code token} ({@code --auth})
 * @param jwtSecret           the HS256 secret tokens are signed with ({@code --jwt-secret}); required with token
 * @param allowedOrigins      browser origins that may open WebSockets and SSE streams, change data and make
 *                            cross-origin calls, {@code *} wildcards ({@code --allowed-origins}); empty: any
 * @param wsRate              messages per second one WebSocket may send ({@code --ws-rate})
 * @param maxConnectionsPerIp TCP connections one remote address may hold ({@code --max-connections-per-ip});
 *                            0: no limit
 * @param maxConnections      TCP connections the server holds before it stops accepting
 *                            ({@code --max-connections}); 0: from the process's open-file limit, less a reserve
 * @param headerTimeout       time a client has to send a request's headers, from its first byte (or from the
 *                            connection's start) ({@code --header-timeout})
 * @param crowd               WebSocket sessions a board's room may have before its presence changes are announced
 *                            together, once a second, as counts, and its presence list is sent a page at a time
 *                            ({@code --crowd})
 * @param transports          the ways clients may get events ({@code --transports}); the others are refused with 404
 * @param webRoot             a folder whose files the browser gets instead of the jar's {@code web/}
 *                            ({@code --web-root}, for working on the page); null: the jar's
 * @param redis               the Redis that carries events between the nodes of one PostgreSQL database
 *                            ({@code --redis}); null: one node, events stay in the process
 * @param presenceTtl         with {@code --redis}: how long a node's presence entries live in Redis unless it renews
 *                            them (every third of it), so how soon a dead node's users leave ({@code --presence-ttl})
 */
public record Config(
        int port,
        String host,
        Database db,
        Duration longPollTimeout,
        Duration sseHeartbeat,
        Duration sseRetry,
        Duration wsPingInterval,
        int maxBodyBytes,
        long maxQueuedBytes,
        int retention,
        AuthMode auth,
        String jwtSecret,
        List<String> allowedOrigins,
        int wsRate,
        int maxConnectionsPerIp,
        int maxConnections,
        Duration headerTimeout,
        int crowd,
        Set<ClientTransport> transports,
        Path webRoot,
        RedisUrl redis,
        Duration presenceTtl) {

    public Config {
        check(port >= 0 && port <= 65535, "--port must be between 0 and 65535, got " + port);
        check(db != null, "--db is required");
        checkPositive("--long-poll-timeout", longPollTimeout);
        checkPositive("--sse-heartbeat", sseHeartbeat);
        check(sseRetry != null && !sseRetry.isNegative(), "--sse-retry must not be negative");
        checkPositive("--ws-ping", wsPingInterval);
        check(maxBodyBytes >= 1024, "--max-body must be at least 1024 bytes");
        check(maxQueuedBytes >= 1024, "--max-queued must be at least 1024 bytes");
        check(retention >= 1, "--retention must be at least 1 event");
        check(auth != null, "--auth is required");
        check(auth != AuthMode.TOKEN || (jwtSecret != null
                && jwtSecret.getBytes(StandardCharsets.UTF_8).length >= JwtTokens.MIN_SECRET_BYTES),
                "--auth token needs --jwt-secret (or LIVEBOARD_JWT_SECRET) of at least " + JwtTokens.MIN_SECRET_BYTES
                        + " bytes");
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        check(wsRate >= 1, "--ws-rate must be at least 1");
        check(maxConnectionsPerIp >= 0, "--max-connections-per-ip must not be negative");
        check(maxConnections >= 0, "--max-connections must not be negative");
        checkPositive("--header-timeout", headerTimeout);
        check(crowd >= 1, "--crowd must be at least 1");
        check(transports != null && !transports.isEmpty(),
                "--transports must name at least one of " + ClientTransport.NAMES);
        transports = Collections.unmodifiableSet(EnumSet.copyOf(transports));
        check(webRoot == null || Files.isDirectory(webRoot), "--web-root must be a folder, got " + webRoot);
        check(redis == null || db instanceof Database.Postgres,
                "--redis needs --db postgresql://… (every node must share the database)");
        checkPositive("--presence-ttl", presenceTtl);
    }

    /** The defaults: port 3000 on every address, the SQLite file {@code ./data/liveboard.db}, auth off, any origin. */
    public static Config defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void checkPositive(String name, Duration value) {
        check(value != null && !value.isNegative() && !value.isZero(), name + " must be more than 0");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The settings as the start line shows them (the secret left out). */
    @Override
    public String toString() {
        return "port=" + port + " host=" + (host == null ? "*" : host) + " db=" + db
                + " auth=" + auth
                + " allowed-origins=" + (allowedOrigins.isEmpty() ? "any" : String.join(",", allowedOrigins))
                + " ws-rate=" + wsRate + "/s"
                + " max-connections-per-ip=" + (maxConnectionsPerIp == 0 ? "none" : maxConnectionsPerIp)
                + " header-timeout=" + seconds(headerTimeout) + " crowd=" + crowd
                + " long-poll-timeout=" + seconds(longPollTimeout) + " sse-heartbeat=" + seconds(sseHeartbeat)
                + " ws-ping=" + seconds(wsPingInterval) + " max-body=" + maxBodyBytes + " max-queued=" + maxQueuedBytes
                + " retention=" + retention
                + " transports=" + transports.stream().map(ClientTransport::flagName).collect(Collectors.joining(","))
                + (webRoot == null ? "" : " web-root=" + webRoot)
                + (redis == null ? "" : " presence-ttl=" + seconds(presenceTtl) + " redis=" + redis);
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return (millis % 1000 == 0 ? String.valueOf(millis / 1000) : String.valueOf(millis / 1000.0)) + "s";
    }

    /** Builds a {@link Config}, starting from the defaults; {@link #build()} checks the values. */
    public static final class Builder {
        private int port = 3000;
        private String host;
        private Database db = new Database.SqliteFile(Path.of("data", "liveboard.db"));
        private Duration longPollTimeout = Duration.ofSeconds(30);
        private Duration sseHeartbeat = Duration.ofSeconds(15);
        private Duration sseRetry = Duration.ofMillis(3000);
        private Duration wsPingInterval = Duration.ofSeconds(30);
        private int maxBodyBytes = 64 * 1024;
        private long maxQueuedBytes = 1024 * 1024;
        private int retention = 10_000;
        private AuthMode auth = AuthMode.OFF;
        private String jwtSecret;
        private List<String> allowedOrigins = List.of();
        private int wsRate = 100;
        private int maxConnectionsPerIp = 1000;
        private int maxConnections;
        private Duration headerTimeout = Duration.ofSeconds(5);
        private int crowd = 100;
        private Set<ClientTransport> transports = EnumSet.allOf(ClientTransport.class);
        private Path webRoot;
        private RedisUrl redis;
        private Duration presenceTtl = Duration.ofSeconds(15);

        private Builder() {
        }

        private Builder(Config c) {
            port = c.port;
            host = c.host;
            db = c.db;
            longPollTimeout = c.longPollTimeout;
            sseHeartbeat = c.sseHeartbeat;
            sseRetry = c.sseRetry;
            wsPingInterval = c.wsPingInterval;
            maxBodyBytes = c.maxBodyBytes;
            maxQueuedBytes = c.maxQueuedBytes;
            retention = c.retention;
            auth = c.auth;
            jwtSecret = c.jwtSecret;
            allowedOrigins = c.allowedOrigins;
            wsRate = c.wsRate;
            maxConnectionsPerIp = c.maxConnectionsPerIp;
            maxConnections = c.maxConnections;
            headerTimeout = c.headerTimeout;
            crowd = c.crowd;
            transports = c.transports;
            webRoot = c.webRoot;
            redis = c.redis;
            presenceTtl = c.presenceTtl;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        /** A SQLite file. */
        public Builder db(Path value) {
            return db(value == null ? null : new Database.SqliteFile(value));
        }

        public Builder db(Database value) {
            db = value;
            return this;
        }

        public Builder longPollTimeout(Duration value) {
            longPollTimeout = value;
            return this;
        }

        public Builder sseHeartbeat(Duration value) {
            sseHeartbeat = value;
            return this;
        }

        public Builder sseRetry(Duration value) {
            sseRetry = value;
            return this;
        }

        public Builder wsPingInterval(Duration value) {
            wsPingInterval = value;
            return this;
        }

        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder maxQueuedBytes(long value) {
            maxQueuedBytes = value;
            return this;
        }

        public Builder retention(int value) {
            retention = value;
            return this;
        }

        public Builder auth(AuthMode value) {
            auth = value;
            return this;
        }

        public Builder jwtSecret(String value) {
            jwtSecret = value;
            return this;
        }

        public Builder allowedOrigins(List<String> value) {
            allowedOrigins = value;
            return this;
        }

        public Builder allowedOrigins(String... value) {
            return allowedOrigins(List.of(value));
        }

        public Builder wsRate(int value) {
            wsRate = value;
            return this;
        }

        public Builder maxConnectionsPerIp(int value) {
            maxConnectionsPerIp = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder headerTimeout(Duration value) {
            headerTimeout = value;
            return this;
        }

        public Builder crowd(int value) {
            crowd = value;
            return this;
        }

        public Builder transports(Set<ClientTransport> value) {
            transports = value;
            return this;
        }

        public Builder transports(ClientTransport... value) {
            return transports(value.length == 0 ? Set.of() : EnumSet.copyOf(List.of(value)));
        }

        public Builder webRoot(Path value) {
            webRoot = value;
            return this;
        }

        public Builder redis(RedisUrl value) {
            redis = value;
            return this;
        }

        public Builder presenceTtl(Duration value) {
            presenceTtl = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the flag of the first bad value */
        public Config build() {
            return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                    maxQueuedBytes, retention, auth, jwtSecret, allowedOrigins, wsRate, maxConnectionsPerIp,
                    maxConnections, headerTimeout, crowd, transports, webRoot, redis,
                    presenceTtl);
        }
    }
}
