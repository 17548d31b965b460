package io.liveboard.auth;

import java.util.Locale;

/** {@code off}: open rooms, everyone a guest (the lesson's behaviour). {@code token}: a signed token is required. */
public enum AuthMode {
    OFF, TOKEN;

    public static AuthMode parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be off or token");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
