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
            """;

    private TokenCommand() {
    }

    /** Prints the token to {@code out} and returns 0, or the problem and usage to {@code err} and returns 2. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                err.println("liveboard token: expected --name value pairs, got '" + arg + "'");
                err.print(USAGE);
                return 2;
            }
            options.put(arg.substring(2), args.get(++i));
        }
        String secret = options.getOrDefault("jwt-secret", env.get("LIVEBOARD_JWT_SECRET"));
        String sub = options.get("sub");
        String boards = options.get("boards");
        try {
            if (sub == null || sub.isBlank() || boards == null || boards.isBlank()) {
                throw new IllegalArgumentException("--sub and --boards are required");
            }
            long ttl = Long.parseLong(options.getOrDefault("ttl", "3600"));
            if (ttl <= 0) {
                throw new IllegalArgumentException("--ttl must be more than 0 seconds");
            }
            List<String> ids = Arrays.stream(boards.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            JwtTokens tokens = new JwtTokens(secret, Clock.systemUTC());
            out.println(tokens.issue(sub, options.getOrDefault("name", sub), ids, Duration.ofSeconds(ttl)));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("liveboard token: " + e.getMessage()
                    + (secret == null ? " (set --jwt-secret or LIVEBOARD_JWT_SECRET)" : ""));
            err.print(USAGE);
            return 2;
        }
    }
}
