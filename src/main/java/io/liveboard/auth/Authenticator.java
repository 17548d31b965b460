package io.liveboard.auth;

/** Turns a token into the caller it names. Thread-safe. */
public interface Authenticator {

    /**
     * @throws AuthException {@code Unauthorized} for a malformed, wrongly signed or incomplete token (or one
     *                       with another algorithm), {@code Token expired} past its {@code exp}
     */
    Principal verify(String token);
}
