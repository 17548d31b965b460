package io.liveboard.auth;

/** A credential that is missing or refused; the message is what the client is told. */
public final class AuthException extends RuntimeException {

    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String EXPIRED = "Token expired";

    private AuthException(String message) {
        super(message, null, false, false);
    }

    public static AuthException unauthorized() {
        return new AuthException(UNAUTHORIZED);
    }

    public static AuthException expired() {
        return new AuthException(EXPIRED);
    }
}
