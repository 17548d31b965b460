package io.liveboard.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * JSON Web Tokens signed with HS256 and a shared secret (the java-jwt library does the cryptography). Claims:
 * {@code sub} (user id), {@code name}, {@code exp}, and {@code boards}: a list of board ids, or {@code "*"}
 * for all. Only HS256 with this secret is accepted ({@code alg: none} and every other algorithm are refused).
 */
public final class JwtTokens implements Authenticator {

    public static final int MIN_SECRET_BYTES = 32;
    public static final String ALL_BOARDS = "*";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;

    public JwtTokens(String secret, Clock clock) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("The JWT secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm).withClaimPresence("sub")
                .withClaimPresence("exp")).build(clock);
    }

    @Override
    public Principal verify(String token) {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw AuthException.expired();
        } catch (JWTVerificationException | IllegalArgumentException e) {
            throw AuthException.unauthorized();
        }
        String sub = jwt.getSubject();
        if (sub == null || sub.isBlank()) {
            throw AuthException.unauthorized();
        }
        String name = jwt.getClaim("name").isMissing() ? sub : jwt.getClaim("name").asString();
        return new Principal(new User(sub, name == null ? sub : name), boards(jwt.getClaim("boards")),
                jwt.getExpiresAtAsInstant(), false);
    }

    /** null (all boards) for {@code "*"}; the listed ids; no boards when the claim is missing or malformed. */
    private static Set<String> boards(Claim claim) {
        if (claim.isMissing() || claim.isNull()) {
            return Set.of();
        }
        if (ALL_BOARDS.equals(claim.asString())) {
            return null;
        }
        List<String> ids = claim.asList(String.class);
        if (ids == null) {
            throw AuthException.unauthorized();
        }
        return ids.contains(ALL_BOARDS) ? null : new LinkedHashSet<>(ids);
    }

    /** A token for {@code sub}, valid for {@code ttl}; {@code boards} may be {@code ["*"]}. */
    public String issue(String sub, String name, List<String> boards, Duration ttl) {
        Instant now = clock.instant();
        var builder = JWT.create().withSubject(sub).withIssuedAt(now).withExpiresAt(now.plus(ttl));
        if (name != null) {
            builder.withClaim("name", name);
        }
        if (boards.contains(ALL_BOARDS)) {
            builder.withClaim("boards", ALL_BOARDS);
        } else {
            builder.withClaim("boards", boards);
        }
        return builder.sign(algorithm);
    }
}
