package io.liveboard.http;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which {@code Origin}s a WebSocket upgrade or an SSE request may come from, against cross-site WebSocket
 * hijacking. An empty list allows any. Patterns are whole origins with {@code *} matching any run of
 * characters ({@code https://*.example.com}, {@code http://localhost:*}). A request without {@code Origin}
 * (not a browser) passes: the header is what a browser cannot forge.
 */
public final class OriginPolicy {

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

    public boolean allows(String origin) {
        return allowed.isEmpty() || origin == null || allowed.stream().anyMatch(p -> p.matcher(origin).matches());
    }
}
