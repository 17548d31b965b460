package io.liveboard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where the server keeps its data ({@code --db}): a SQLite file (the default), or a PostgreSQL database named by a
 * URL, {@code postgresql://user[:password]@host[:port]/dbname[?driver-parameters]} ({@code postgres://} too), which
 * several nodes may share. The password never shows in {@link #toString()}.
 */
public sealed interface Database {

    /**
     * A {@code postgresql://} or {@code postgres://} URL, or else the path of a SQLite file.
     *
     * @throws IllegalArgumentException naming what the URL lacks (never showing its password)
     */
    static Database parse(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            return Postgres.parse(text.strip());
        }
        if (lower.contains("://")) {
            throw new IllegalArgumentException("must be a file path or a postgresql:// URL");
        }
        return new SqliteFile(Path.of(text));
    }

    /** {@code text} as it may be shown: a URL's password (before the {@code @}, or as a parameter) as {@code ***}. */
    static String redact(String text) {
        int scheme = text.indexOf("://");
        int at = text.lastIndexOf('@');
        int colon = scheme < 0 ? -1 : text.indexOf(':', scheme + 3);
        String shown = colon > 0 && colon < at ? text.substring(0, colon + 1) + "***" + text.substring(at) : text;
        return shown.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /** A SQLite file, created with its folder on first start. */
    record SqliteFile(Path file) implements Database {

        @Override
        public String toString() {
            return file.toString();
        }
    }

    /**
     * A PostgreSQL database.
     *
     * @param password   null when the URL gives none (the server may trust the connection, or the driver finds it)
     * @param parameters the URL's query, handed to the driver as it is ({@code sslmode=require}); "" for none
     */
    record Postgres(String host, int port, String name, String user, String password, String parameters)
            implements Database {

        public static final int DEFAULT_PORT = 5432;
        private static final String FORM = "postgresql://user[:password]@host[:port]/dbname";

        static Postgres parse(String url) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a URL of the form " + FORM + " (" + e.getReason() + ")");
            }
            // the authority by hand: URI finds no host in names such as pg_db (Docker's), which are valid here
            String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            String userInfo = at < 0 ? "" : authority.substring(0, at);
            String hostPort = authority.substring(at + 1);
            int portColon = hostPort.lastIndexOf(':');
            if (portColon < hostPort.lastIndexOf(']')) {
                portColon = -1; // an IPv6 address's colons, no port
            }
            String host = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("must name a host: " + FORM);
            }
            int port = DEFAULT_PORT;
            if (portColon >= 0) {
                try {
                    port = Integer.parseInt(hostPort.substring(portColon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("must have a whole number as its port: " + FORM);
                }
            }
            String parameters = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            if (Arrays.stream(parameters.split("&")).map(p -> p.split("=", 2)[0].toLowerCase(Locale.ROOT))
                    .anyMatch(p -> p.equals("user") || p.equals("password"))) {
                throw new IllegalArgumentException("takes the user and password before the @, not as parameters: "
                        + FORM);
            }
            if (userInfo.isEmpty() || userInfo.startsWith(":")) {
                throw new IllegalArgumentException("must name a user: " + FORM);
            }
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
                throw new IllegalArgumentException("must name one database: " + FORM);
            }
            return new Postgres(host, port, decode(path.substring(1)), user, password, parameters);
        }

        private static String decode(String part) {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        /** The driver's URL; the user and password go beside it, not in it. */
        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + (parameters.isEmpty() ? "" : "?" + parameters);
        }

        /** The URL without its password. */
        @Override
        public String toString() {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + name
                    + (parameters.isEmpty() ? "" : "?" + parameters);
        }
    }
}
