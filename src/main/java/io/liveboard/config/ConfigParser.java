package io.liveboard.config;

import io.liveboard.auth.AuthMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Reads a {@link Config} from {@code --name value} / {@code --name=value} flags over environment variables over
 * the defaults. A bad value is refused with a message naming where it came from: the flag, or the
 * environment variable.
 */
public final class ConfigParser {

    /** One setting: its flag, its environment variable, its help line, and how its text goes into a builder. */
    private record Option(String flag, String env, String help, BiConsumer<Config.Builder, String> setter) {
    }

    private static final List<Option> OPTIONS = List.of(
            new Option("port", "PORT", "N  port to listen on (default 3000; 0 = any free port)",
                    (b, v) -> b.port(whole(v))),
            new Option("host", "LIVEBOARD_HOST", "ADDR  address to listen on (default: all)", Config.Builder::host),
            new Option("db", "LIVEBOARD_DB",
                    "PATH|URL  the SQLite file (default ./data/liveboard.db), or postgresql://user[:password]@host:port/dbname",
                    (b, v) -> b.db(Database.parse(v))),
            new Option("redis", "LIVEBOARD_REDIS",
                    "URL  redis://host:port carrying events between the nodes of one PostgreSQL --db (default: one node)",
                    (b, v) -> b.redis(RedisUrl.parse(v))),
            new Option("presence-ttl", "LIVEBOARD_PRESENCE_TTL",
                    "S  with --redis: seconds a dead node's users stay in presence (default 15)",
                    (b, v) -> b.presenceTtl(seconds(v))),
            new Option("long-poll-timeout", "LIVEBOARD_LONG_POLL_TIMEOUT", "S  seconds a long poll waits (default 30)",
                    (b, v) -> b.longPollTimeout(seconds(v))),
            new Option("sse-heartbeat", "LIVEBOARD_SSE_HEARTBEAT", "S  seconds between SSE heartbeats (default 15)",
                    (b, v) -> b.sseHeartbeat(seconds(v))),
            new Option("sse-retry", "LIVEBOARD_SSE_RETRY", "MS  reconnect delay told to SSE clients (default 3000)",
                    (b, v) -> b.sseRetry(Duration.ofMillis(whole(v)))),
            new Option("ws-ping", "LIVEBOARD_WS_PING", "S  seconds between WebSocket pings (default 30)",
                    (b, v) -> b.wsPingInterval(seconds(v))),
            new Option("max-body", "LIVEBOARD_MAX_BODY",
                    "BYTES  largest request body / WebSocket message (default 65536)", (b, v) -> b.maxBodyBytes(whole(v))),
            new Option("max-queued", "LIVEBOARD_MAX_QUEUED",
                    "BYTES  bytes waiting for one client behind its write under way before it is cut off as too slow (default 1048576)",
                    (b, v) -> b.maxQueuedBytes(whole(v))),
            new Option("retention", "LIVEBOARD_RETENTION", "N  events kept per board for resuming clients (default 10000)",
                    (b, v) -> b.retention(whole(v))),
            new Option("auth", "LIVEBOARD_AUTH", "off|token  token: signed tokens required (default off)",
                    (b, v) -> b.auth(AuthMode.parse(v))),
            new Option("jwt-secret", "LIVEBOARD_JWT_SECRET", "S  HS256 secret of the tokens, 32 bytes or more",
                    Config.Builder::jwtSecret),
            new Option("allowed-origins", "LIVEBOARD_ALLOWED_ORIGINS",
                    "LIST  browser origins allowed to connect and change data, * wildcards (default any)",
                    (b, v) -> b.allowedOrigins(list(v))),
            new Option("ws-rate", "LIVEBOARD_WS_RATE", "N  messages per second one WebSocket may send (default 100)",
                    (b, v) -> b.wsRate(whole(v))),
            new Option("max-connections-per-ip", "LIVEBOARD_MAX_CONNECTIONS_PER_IP",
                    "N  TCP connections one address may hold (default 1000; 0 = no limit)",
                    (b, v) -> b.maxConnectionsPerIp(whole(v))),
            new Option("max-connections", "LIVEBOARD_MAX_CONNECTIONS",
                    "N  TCP connections in all, then new ones wait (default: the open-file limit less 10%)", (b, v) -> b.maxConnections(whole(v))),
            new Option("header-timeout", "LIVEBOARD_HEADER_TIMEOUT",
                    "S  seconds a client has to send a request's headers (default 5)",
                    (b, v) -> b.headerTimeout(seconds(v))),
            new Option("crowd", "LIVEBOARD_CROWD",
                    "N  WebSocket sessions on a board beyond which presence comes as counts once a second (default 100)",
                    (b, v) -> b.crowd(whole(v))),
            new Option("transports", "LIVEBOARD_TRANSPORTS",
                    "LIST  transports clients may use, of " + ClientTransport.NAMES + " (default all); others get 404",
                    (b, v) -> b.transports(transports(v))),
            new Option("web-root", "LIVEBOARD_WEB_ROOT",
                    "PATH  serve the page's files from this folder, not the jar (to work on the page)",
                    (b, v) -> b.webRoot(Path.of(v))));

    /** What {@code --help} prints. */
    public static final String USAGE = usage();

    private ConfigParser() {
    }

    private static String usage() {
        StringBuilder text = new StringBuilder("""
                Usage: java -jar target/liveboard.jar [options]      start the server
                       java -jar target/liveboard.jar token --help   mint a signed token (see --auth token)

                Options (each also read from the environment variable named after it; a flag wins):
                """);
        for (Option option : OPTIONS) {
            int space = option.help().indexOf("  ");
            String head = "  --" + option.flag() + " " + option.help().substring(0, space);
            String line = String.format("%-29s %s", head, option.help().substring(space + 2));
            String env = "[" + option.env() + "]";
            text.append(line.length() + env.length() < 110 ? line + " " + env : line + "\n" + " ".repeat(30) + env)
                    .append('\n');
        }
        text.append(String.format("%-29s %s%n", "  --help", "print this and exit"));
        return text.toString();
    }

    /**
     * Reads the flags over the environment over the defaults.
     *
     * @throws IllegalArgumentException with a message for the user on an unknown flag or a bad value
     */
    public static Config parse(String[] args, Map<String, String> env) {
        // where each value came from, for the messages: "--port" or "PORT"
        Map<Option, String[]> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            String value = env.get(option.env());
            if (value != null && !value.isBlank()) {
                values.put(option, new String[] {option.env(), value.strip()});
            }
        }
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            String inline = eq >= 0 ? name.substring(eq + 1) : null;
            String flag = eq >= 0 ? name.substring(0, eq) : name;
            Option option = OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown option: --" + flag));
            if (inline == null && rest.isEmpty()) {
                throw new IllegalArgumentException("--" + flag + " needs a value");
            }
            values.put(option, new String[] {"--" + flag, inline != null ? inline : rest.remove(0)});
        }
        Config.Builder builder = Config.builder();
        for (Map.Entry<Option, String[]> entry : values.entrySet()) {
            Option option = entry.getKey();
            String source = entry.getValue()[0];
            String value = entry.getValue()[1];
            apply(option, source, value, builder);
            if (!Set.of("auth", "jwt-secret", "redis").contains(option.flag())) {
                // each value is checked alone too, so that a refusal names where it came from (the record's own
                // messages name the flag); auth and its secret depend on each other and are checked together, and
                // so do redis and the database
                try {
                    apply(option, source, value, Config.builder()).build();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + e.getMessage().substring(option.flag().length() + 2));
                }
            }
        }
        return builder.build();
    }

    /** Sets the option's value; a value of the wrong form is refused naming its source ({@code --port}, {@code PORT}). */
    private static Config.Builder apply(Option option, String source, String value, Config.Builder builder) {
        try {
            option.setter().accept(builder, value);
            return builder;
        } catch (UnknownItem e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // a database URL's password is not repeated back
            String shown = option.flag().equals("db") || option.flag().equals("redis") ? Database.redact(value) : value;
            throw new IllegalArgumentException(source + " " + e.getMessage() + ", got '" + shown + "'");
        }
    }

    /** A list's item that is none of the known names: the message names it, and what is known. */
    private static final class UnknownItem extends IllegalArgumentException {
        UnknownItem(String message) {
            super(message);
        }
    }

    private static int whole(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number");
        }
    }

    /** Seconds, with a fraction allowed ({@code 0.5}) so tests can run heartbeats fast. */
    private static Duration seconds(String value) {
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(value.strip()) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number of seconds");
        }
    }

    private static Set<ClientTransport> transports(String value) {
        Set<ClientTransport> transports = EnumSet.noneOf(ClientTransport.class);
        for (String name : list(value)) {
            try {
                transports.add(ClientTransport.of(name));
            } catch (IllegalArgumentException e) {
                throw new UnknownItem(e.getMessage());
            }
        }
        return transports;
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }
}
