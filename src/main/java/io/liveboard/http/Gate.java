package io.liveboard.http;

import io.liveboard.auth.AuthException;
import io.liveboard.auth.AuthMode;
import io.liveboard.auth.Authenticator;
import io.liveboard.auth.Principal;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Who is calling, for HTTP requests and WebSocket upgrades. With auth {@code off} every caller is a guest
 * allowed everywhere; with {@code token} the token comes from {@code Authorization: Bearer}, the {@code token}
 * query parameter or the {@code session} cookie (in that order) and must verify. Thread-safe.
 */
public final class Gate {

    private final AuthMode mode;
    private final Authenticator authenticator;

    public Gate(AuthMode mode, Authenticator authenticator) {
        this.mode = mode;
        this.authenticator = authenticator;
    }

    public boolean required() {
        return mode == AuthMode.TOKEN;
    }

    /**
     * The caller of the request; {@code guestId} names the guest when auth is off.
     *
     * @throws AuthException when auth is on and the token is missing or refused
     */
    public Principal authenticate(Request request, String guestId) {
        if (!required()) {
            return Principal.guest(guestId);
        }
        return verify(token(request).orElseThrow(AuthException::unauthorized));
    }

    /** Verifies a token given some other way (a WebSocket's {@code auth} message). */
    public Principal verify(String token) {
        if (token == null || token.isBlank()) {
            throw AuthException.unauthorized();
        }
        return authenticator.verify(token.strip());
    }

    /** The token the request carries, if any. */
    public static Optional<String> token(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).strip());
        }
        String query = Request.extractQueryParameters(request).getValue("token");
        if (query != null && !query.isBlank()) {
            return Optional.of(query);
        }
        for (HttpCookie cookie : Request.getCookies(request)) {
            if ("session".equals(cookie.getName()) && !cookie.getValue().isBlank()) {
                return Optional.of(cookie.getValue());
            }
        }
        return Optional.empty();
    }
}
