package io.liveboard.http;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.handler.CrossOriginHandler;

/**
 * Which browser {@code Origin}s may use the server: open WebSockets and SSE streams (against cross-site
 * WebSocket hijacking), make state-changing requests (against cross-site request forgery), and read answers
 * cross-origin (CORS). An empty list allows any origin, but without credentials: a page of another site may
 * then call the API with a token it holds, never with the {@code session} cookie. Patterns are whole origins
 * with {@code *} matching any run of characters ({@code https://*.example.com}, {@code http://localhost:*}); an
 * explicit list allows credentials. A request without {@code Origin} (not a browser, or a same-origin GET)
 * passes: the header is what a browser cannot forge. Immutable and thread-safe.
 */
public final class OriginPolicy {

    /** Headers a cross-origin page may send, headers of answers it may read, and methods it may use. */
    static final Set<String> ALLOWED_HEADERS = Set.of("Content-Type", "Authorization", "X-Socket-Id", "Last-Event-ID",
            HttpExchange.IDEMPOTENCY_KEY);
    static final Set<String> EXPOSED_HEADERS = Set.of(HttpExchange.SEQ, HttpExchange.REPLAYED);
    static final Set<String> ALLOWED_METHODS = Set.of("GET", "HEAD", "POST", "PATCH", "DELETE");
    static final Duration PREFLIGHT_MAX_AGE = Duration.ofMinutes(10);

    private final List<Pattern> allowed;

    public OriginPolicy(List<String> patterns) {
        this.allowed = patterns.stream().map(OriginPolicy::compile).toList();
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    /** Whether a request with this {@code Origin} (null: none) may go on. */
    public boolean allows(String origin) {
        return allowed.isEmpty() || origin == null || allowed.stream().anyMatch(p -> p.matcher(origin).matches());
    }

    /**
     * Jetty's CORS handler in front of {@code next}, answering for the allowed origins only. Preflights and
     * requests from other origins go on to {@code next} without CORS headers (the router refuses them there).
     */
    public CrossOriginHandler crossOriginHandler(Handler next) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setHandler(next);
        cors.setAllowedOriginPatterns(allowed.isEmpty() ? Set.of("*")
                : allowed.stream().map(Pattern::pattern).collect(Collectors.toSet()));
        cors.setAllowCredentials(!allowed.isEmpty());
        cors.setAllowedMethods(ALLOWED_METHODS);
        cors.setAllowedHeaders(ALLOWED_HEADERS);
        cors.setExposedHeaders(EXPOSED_HEADERS);
        cors.setPreflightMaxAge(PREFLIGHT_MAX_AGE);
        cors.setDeliverPreflightRequests(true);
        cors.setDeliverNonAllowedOriginRequests(true);
        cors.setDeliverNonAllowedOriginWebSocketUpgradeRequests(true);
        return cors;
    }
}
