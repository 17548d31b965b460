package io.liveboard.config;

import io.liveboard.auth.AuthMode;
import io.liveboard.auth.JwtTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that can be set from the command line or the environment, with the defaults a newcomer
 * gets. A flag beats its environment variable; a bad value stops the start with a message naming it.
 *
 * @param port               TCP port ({@code --port}, {@code PORT}); 0 picks a free one
 * @param host               address to listen on ({@code --host}, {@code LIVEBOARD_HOST}); all by default
 * @param db                 the SQLite file ({@code --db}, {@code LIVEBOARD_DB})
 * @param longPollTimeout    how long {@code /poll} waits for a change ({@code --long-poll-timeout}, seconds)
 * @param sseHeartbeat       interval of {@code : heartbeat} comments ({@code --sse-heartbeat}, seconds)
 * @param sseRetry           the {@code retry:} sent to SSE clients ({@code --sse-retry}, milliseconds)
 * @param wsPingInterval     WebSocket ping interval; a peer that misses a pong is closed ({@code --ws-ping})
 * @param maxBodyBytes       largest accepted request body or WebSocket message ({@code --max-body}, bytes)
 * @param maxQueuedBytes     outbound bytes one connection may have queued before it is closed as too slow
 *                           ({@code --max-queued}, bytes)
 * @param retention          events kept per board for clients to resume from ({@code --retention}); older ones
 *                           are dropped, and a client behind them gets a resync
 * @param auth               {@code off} (everyone a guest) or {@code token} ({@code --auth})
 * @param jwtSecret          the HS256 secret tokens are signed with ({@code --jwt-secret}); required with token
 * @param allowedOrigins     origins a WebSocket upgrade or SSE request may come from, {@code *} wildcards
 *                           ({@code --allowed-origins}); empty: any
 * @param wsRate             messages per second one WebSocket may send ({@code --ws-rate})
 * @param maxConnectionsPerIp WebSocket and SSE connections one address may hold ({@code --max-connections-per-ip});
 *                           0: no limit
 */
public record Config(
        int port,
        String host,
        Path db,
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
        int maxConnectionsPerIp) {

    public static final String USAGE = """
            Usage: java -jar target/liveboard.jar [options]
              --port N                 port to listen on (env PORT, default 3000; 0 = any free port)
              --host ADDR              address to listen on (env LIVEBOARD_HOST, default all)
              --db PATH                SQLite file (env LIVEBOARD_DB, default ./data/liveboard.db)
              --long-poll-timeout S    seconds a long poll waits (env LIVEBOARD_LONG_POLL_TIMEOUT, default 30)
              --sse-heartbeat S        seconds between SSE heartbeats (env LIVEBOARD_SSE_HEARTBEAT, default 15)
              --sse-retry MS           reconnect delay told to SSE clients (env LIVEBOARD_SSE_RETRY, default 3000)
              --ws-ping S              seconds between WebSocket pings (env LIVEBOARD_WS_PING, default 30)
              --max-body BYTES         largest request body / WebSocket message (env LIVEBOARD_MAX_BODY, default 65536)
              --max-queued BYTES       outbound queue per connection before it is cut off as too slow
                                       (env LIVEBOARD_MAX_QUEUED, default 1048576)
              --retention N            events kept per board for resuming clients
                                       (env LIVEBOARD_RETENTION, default 10000)
              --auth off|token         off: open boards, guests; token: signed tokens required
                                       (env LIVEBOARD_AUTH, default off)
              --jwt-secret S           HS256 secret of the tokens, 32 bytes or more (env LIVEBOARD_JWT_SECRET)
              --allowed-origins LIST   origins WebSocket/SSE requests may come from, * wildcards
                                       (env LIVEBOARD_ALLOWED_ORIGINS, default any)
              --ws-rate N              messages per second one WebSocket may send (env LIVEBOARD_WS_RATE, default 100)
              --max-connections-per-ip N  WebSocket + SSE connections per address, 0 = no limit
                                       (env LIVEBOARD_MAX_CONNECTIONS_PER_IP, default 0)
              --help                   print this and exit
            """;

    private static final List<Option> OPTIONS = List.of(
            new Option("port", "PORT"),
            new Option("host", "LIVEBOARD_HOST"),
            new Option("db", "LIVEBOARD_DB"),
            new Option("long-poll-timeout", "LIVEBOARD_LONG_POLL_TIMEOUT"),
            new Option("sse-heartbeat", "LIVEBOARD_SSE_HEARTBEAT"),
            new Option("sse-retry", "LIVEBOARD_SSE_RETRY"),
            new Option("ws-ping", "LIVEBOARD_WS_PING"),
            new Option("max-body", "LIVEBOARD_MAX_BODY"),
            new Option("max-queued", "LIVEBOARD_MAX_QUEUED"),
            new Option("retention", "LIVEBOARD_RETENTION"),
            new Option("auth", "LIVEBOARD_AUTH"),
            new Option("jwt-secret", "LIVEBOARD_JWT_SECRET"),
            new Option("allowed-origins", "LIVEBOARD_ALLOWED_ORIGINS"),
            new Option("ws-rate", "LIVEBOARD_WS_RATE"),
            new Option("max-connections-per-ip", "LIVEBOARD_MAX_CONNECTIONS_PER_IP"));

    private record Option(String flag, String env) {
    }

    public Config {
        check(port >= 0 && port <= 65535, "port must be between 0 and 65535, got " + port);
        check(db != null, "db is required");
        checkPositive("long-poll-timeout", longPollTimeout);
        checkPositive("sse-heartbeat", sseHeartbeat);
        check(!sseRetry.isNegative(), "sse-retry must not be negative");
        checkPositive("ws-ping", wsPingInterval);
        check(maxBodyBytes >= 1024, "max-body must be at least 1024 bytes");
        check(maxQueuedBytes >= 1024, "max-queued must be at least 1024 bytes");
        check(retention >= 1, "retention must be at least 1 event");
        check(auth != null, "auth is required");
        check(auth != AuthMode.TOKEN || (jwtSecret != null
                && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= JwtTokens.MIN_SECRET_BYTES),
                "--auth token needs --jwt-secret (or LIVEBOARD_JWT_SECRET) of at least " + JwtTokens.MIN_SECRET_BYTES
                        + " bytes");
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        check(wsRate >= 1, "ws-rate must be at least 1");
        check(maxConnectionsPerIp >= 0, "max-connections-per-ip must not be negative");
    }

    /** The defaults: port 3000 on every address, {@code ./data/liveboard.db}. */
    public static Config defaults() {
        return new Config(3000, null, Path.of("data", "liveboard.db"), Duration.ofSeconds(30),
                Duration.ofSeconds(15), Duration.ofMillis(3000), Duration.ofSeconds(30), 64 * 1024, 1024 * 1024, 10_000, AuthMode.OFF, null, List.of(), 100, 0);
    }

    /**
     * Reads {@code --name value} / {@code --name=value} flags over environment variables over defaults.
     *
     * @throws IllegalArgumentException with a message for the user on an unknown flag or a bad value
     */
    public static Config from(String[] args, Map<String, String> env) {
        Map<String, String> values = new java.util.HashMap<>();
        for (Option option : OPTIONS) {
            String value = env.get(option.env());
            if (value != null && !value.isBlank()) {
                values.put(option.flag(), value.strip());
            }
        }
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (!rest.isEmpty()) {
                value = rest.remove(0);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            String flag = name;
            if (OPTIONS.stream().noneMatch(o -> o.flag().equals(flag))) {
                throw new IllegalArgumentException("Unknown option: --" + name);
            }
            values.put(name, value);
        }
        Config d = defaults();
        return new Config(
                integer(values, "port", d.port()),
                values.getOrDefault("host", d.host()),
                values.containsKey("db") ? Path.of(values.get("db")) : d.db(),
                seconds(values, "long-poll-timeout", d.longPollTimeout()),
                seconds(values, "sse-heartbeat", d.sseHeartbeat()),
                values.containsKey("sse-retry") ? Duration.ofMillis(integer(values, "sse-retry", 0)) : d.sseRetry(),
                seconds(values, "ws-ping", d.wsPingInterval()),
                integer(values, "max-body", d.maxBodyBytes()),
                integer(values, "max-queued", (int) d.maxQueuedBytes()),
                integer(values, "retention", d.retention()),
                values.containsKey("auth") ? AuthMode.parse(values.get("auth")) : d.auth(),
                values.getOrDefault("jwt-secret", d.jwtSecret()),
                values.containsKey("allowed-origins") ? list(values.get("allowed-origins")) : d.allowedOrigins(),
                integer(values, "ws-rate", d.wsRate()),
                integer(values, "max-connections-per-ip", d.maxConnectionsPerIp()));
    }

    /** A copy that listens on {@code newPort}. */
    public Config withPort(int newPort) {
        return new Config(newPort, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, retention, auth, jwtSecret, allowedOrigins, wsRate, maxConnectionsPerIp);
    }

    /** A copy that pings WebSockets every {@code interval}. */
    public Config withWsPing(Duration interval) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, interval, maxBodyBytes,
                maxQueuedBytes, retention, auth, jwtSecret, allowedOrigins, wsRate, maxConnectionsPerIp);
    }

    /** A copy that cuts connections with more than {@code bytes} queued. */
    public Config withMaxQueued(long bytes) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes, bytes,
                retention, auth, jwtSecret, allowedOrigins, wsRate, maxConnectionsPerIp);
    }

    /** A copy that keeps the last {@code events} events per board. */
    public Config withRetention(int events) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, events, auth, jwtSecret, allowedOrigins, wsRate, maxConnectionsPerIp);
    }

    /** A copy with authentication {@code mode} ({@code off}, {@code token}) and its secret. */
    public Config withAuth(String mode, String secret) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, retention, AuthMode.parse(mode), secret, allowedOrigins, wsRate, maxConnectionsPerIp);
    }

    /** A copy that takes WebSocket upgrades and SSE requests only from these origins. */
    public Config withAllowedOrigins(String... origins) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, retention, auth, jwtSecret, List.of(origins), wsRate, maxConnectionsPerIp);
    }

    /** A copy that lets one WebSocket send {@code perSecond} messages a second. */
    public Config withWsRate(int perSecond) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, retention, auth, jwtSecret, allowedOrigins, perSecond, maxConnectionsPerIp);
    }

    /** A copy that lets one address hold at most {@code connections} WebSocket and SSE connections. */
    public Config withMaxConnectionsPerIp(int connections) {
        return new Config(port, host, db, longPollTimeout, sseHeartbeat, sseRetry, wsPingInterval, maxBodyBytes,
                maxQueuedBytes, retention, auth, jwtSecret, allowedOrigins, wsRate, connections);
    }

    private static List<String> list(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    private static int integer(Map<String, String> values, String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    /** Seconds, with a fraction allowed ({@code 0.5}) so tests can run heartbeats fast. */
    private static Duration seconds(Map<String, String> values, String name, Duration fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number of seconds, got '" + value + "'");
        }
    }

    private static void checkPositive(String name, Duration value) {
        check(value != null && !value.isNegative() && !value.isZero(), name + " must be more than 0");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "port=%d host=%s db=%s longPoll=%ss sseHeartbeat=%ss wsPing=%ss retention=%d auth=%s",
                port, host == null ? "*" : host, db, longPollTimeout.toMillis() / 1000.0, sseHeartbeat.toMillis() / 1000.0,
                wsPingInterval.toMillis() / 1000.0, retention, auth);
    }
}
