package io.liveboard.auth;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar liveboard.jar token --sub alice --name Alice --boards board-1,board-2 [--ttl 3600]}: prints a
 * token signed with {@code --jwt-secret} or {@code LIVEBOARD_JWT_SECRET}, for curl, wscat and EventSource.
 */
public final class TokenCommand {

    public static final String USAGE = """
            Usage: java -jar target/liveboard.jar token --sub USER --boards IDS [options]
              --sub USER        the user id (claim sub)
              --name NAME       the name others see (default: the user id)
              --boards IDS      comma list of board ids the user may see and change, or '*' for all
              --ttl SECONDS     how long the token is valid (default 3600)
              --jwt-secret S    the server's secret (env LIVEBOARD_JWT_SECRET)
              --help            print this and exit
            """;

    private static final List<String> OPTIONS = List.of("sub", "name", "boards", "ttl", "jwt-secret");

    private TokenCommand() {
    }

    /**
     * Prints the token to {@code out} and returns 0; {@code --help} prints the usage to {@code out} and returns 0;
     * a problem goes to {@code err} in one line with a hint, and returns 2.
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Map<String, String> options = new HashMap<>();
        String secret = env.get("LIVEBOARD_JWT_SECRET");
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("expected --name value pairs, got '" + arg + "'");
                }
                if (!OPTIONS.contains(arg.substring(2))) {
                    throw new IllegalArgumentException("Unknown option: " + arg);
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                options.put(arg.substring(2), args.get(++i));
            }
            secret = options.getOrDefault("jwt-secret", secret);
            String sub = options.get("sub");
            String boards = options.get("boards");
            if (sub == null || sub.isBlank() || boards == null || boards.isBlank()) {
                throw new IllegalArgumentException("--sub and --boards are required");
            }
            long ttl = ttl(options.getOrDefault("ttl", "3600"));
            List<String> ids = Arrays.stream(boards.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            JwtTokens tokens = new JwtTokens(secret, Clock.systemUTC());
            out.println(tokens.issue(sub, options.getOrDefault("name", sub), ids, Duration.ofSeconds(ttl)));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("liveboard token: " + e.getMessage()
                    + (secret == null ? " (set --jwt-secret or LIVEBOARD_JWT_SECRET)" : ""));
            err.println("Run 'java -jar target/liveboard.jar token --help' for the options.");
            return 2;
        }
    }

    private static long ttl(String value) {
        try {
            long ttl = Long.parseLong(value.strip());
            if (ttl > 0) {
                return ttl;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--ttl must be a whole number of seconds, more than 0, got '" + value + "'");
    }
}
