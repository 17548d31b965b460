package io.liveboard.auth;

/** A credential that is missing or refused; the message is what the client is told. */
public final class AuthException extends RuntimeException {

    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String EXPIRED = "Token expired";
    /** The code a connection is ended with for a missing, refused or expired credential (WebSocket close, SSE). */
    public static final int CLOSE_CODE = 4001;

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
