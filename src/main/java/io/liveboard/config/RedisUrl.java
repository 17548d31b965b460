package io.liveboard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The Redis that carries events between nodes ({@code --redis}): {@code redis://[[user]:password@]host[:port][/db]}, or
 * {@code rediss://…} for TLS. The password never shows in {@link #toString()}.
 *
 * @param url the URL as given, handed to the Redis client
 */
public record RedisUrl(String url) {

    public static final int DEFAULT_PORT = 6379;
    private static final String FORM = "redis://host:port (or rediss:// for TLS)";

    /** @throws IllegalArgumentException naming what the URL lacks (never showing its password) */
    public static RedisUrl parse(String text) {
        String url = text.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
            throw new IllegalArgumentException("must be a URL of the form " + FORM);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL of the form " + FORM + " (" + e.getReason() + ")");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("must name a host: " + FORM);
        }
        return new RedisUrl(url);
    }

    /** The URL without its password. */
    @Override
    public String toString() {
        return Database.redact(url);
    }
}
