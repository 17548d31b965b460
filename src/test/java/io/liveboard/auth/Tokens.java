package io.liveboard.auth;

import io.liveboard.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens for the auth tests: good ones minted by {@link JwtTokens} with the test server's secret, and bad
 * ones built by hand (base64url JSON and an HMAC of our own), so that a forged token is exactly what it says.
 */
final class Tokens {

    /** The test server's secret (at least 32 bytes). */
    static final String SECRET = "liveboard-auth-tests-secret-0123456789-abcdef";
    static final String OTHER_SECRET = "not-the-server-secret-but-long-enough-0123456789";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {
    }

    /** A good token, as the server's own code mints it. */
    static String issue(String sub, String name, List<String> boards, Duration ttl) {
        return new JwtTokens(SECRET, Clock.systemUTC()).issue(sub, name, boards, ttl);
    }

    static String issue(String sub, String name, List<String> boards) {
        return issue(sub, name, boards, Duration.ofHours(1));
    }

    /** Correctly signed, but its {@code exp} passed an hour ago. */
    static String expired(String sub, List<String> boards) {
        return new JwtTokens(SECRET, Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))
                .issue(sub, sub, boards, Duration.ofHours(1));
    }

    /** Claims of a token that would be good (all boards, an hour left), to be signed or spoiled by a test. */
    static Map<String, Object> claims(String sub) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (sub != null) {
            claims.put("sub", sub);
        }
        claims.put("name", "Mallory");
        claims.put("boards", "*");
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", Instant.now().plus(Duration.ofHours(1)).getEpochSecond());
        return claims;
    }

    /** header.payload.signature with the given header {@code alg}, signed by {@code mac} (null: no signature). */
    static String forge(String alg, Map<String, Object> claims, String mac, String secret) {
        String signingInput = part("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + part(Json.write(claims));
        return signingInput + "." + (mac == null ? "" : sign(signingInput, mac, secret));
    }

    /** An HS256 token signed with the right secret: good unless its claims are not. */
    static String hs256(Map<String, Object> claims) {
        return forge("HS256", claims, "HmacSHA256", SECRET);
    }

    static String part(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String sign(String signingInput, String mac, String secret) {
        try {
            Mac hmac = Mac.getInstance(mac);
            hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
            return B64.encodeToString(hmac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A refused token: what it is, the token, and the error the server must answer. */
    record BadToken(String what, String token, String error) {
        @Override
        public String toString() {
            return what;
        }
    }

    /**
     * Every kind of refused token the spec names (malformed, wrong signature, {@code alg: none} or another
     * algorithm, changed after signing, expired, no {@code sub}), each as a client could send it.
     */
    static List<BadToken> bad() {
        String unauthorized = AuthException.UNAUTHORIZED;
        String good = issue("mallory", "Mallory", List.of("board-1"));
        String[] parts = good.split("\\.");
        Map<String, Object> widened = new LinkedHashMap<>(Json.readMap(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)));
        widened.put("boards", "*");
        Map<String, Object> otherUser = new LinkedHashMap<>(widened);
        otherUser.put("boards", List.of("board-1"));
        otherUser.put("sub", "admin");
        Map<String, Object> noSub = claims(null);
        Map<String, Object> blankSub = claims(" ");
        return List.of(
                new BadToken("malformed: one word", "not-a-token", unauthorized),
                new BadToken("malformed: three junk parts", "a.b.c", unauthorized),
                new BadToken("malformed: header and payload only", parts[0] + "." + parts[1], unauthorized),
                new BadToken("malformed: header is not JSON", part("garbage") + "." + parts[1] + "." + parts[2],
                        unauthorized),
                new BadToken("malformed: payload not base64url", parts[0] + ".%%%***." + parts[2], unauthorized),
                new BadToken("malformed: signature cut short", good.substring(0, good.length() - 6), unauthorized),
                new BadToken("alg none, no signature", forge("none", claims("mallory"), null, null), unauthorized),
                new BadToken("alg none, with an HS256 signature by the right secret",
                        forge("none", claims("mallory"), "HmacSHA256", SECRET), unauthorized),
                new BadToken("alg NONE (upper case), no signature", forge("NONE", claims("mallory"), null, null),
                        unauthorized),
                new BadToken("HS256 signed with another secret",
                        forge("HS256", claims("mallory"), "HmacSHA256", OTHER_SECRET), unauthorized),
                new BadToken("HS512 signed with the right secret",
                        forge("HS512", claims("mallory"), "HmacSHA512", SECRET), unauthorized),
                new BadToken("HS384 signed with the right secret",
                        forge("HS384", claims("mallory"), "HmacSHA384", SECRET), unauthorized),
                new BadToken("header says HS512, signature is HS256 by the right secret",
                        forge("HS512", claims("mallory"), "HmacSHA256", SECRET), unauthorized),
                new BadToken("header says RS256, HMAC-SHA256 by the secret (alg confusion)",
                        forge("RS256", claims("mallory"), "HmacSHA256", SECRET), unauthorized),
                new BadToken("payload changed after signing: boards widened to *",
                        parts[0] + "." + part(Json.write(widened)) + "." + parts[2], unauthorized),
                new BadToken("payload changed after signing: sub changed",
                        parts[0] + "." + part(Json.write(otherUser)) + "." + parts[2], unauthorized),
                new BadToken("signature of another good token",
                        parts[0] + "." + parts[1] + "." + issue("admin", "Admin", List.of("*")).split("\\.")[2],
                        unauthorized),
                new BadToken("no sub, signed right", hs256(noSub), unauthorized),
                new BadToken("blank sub, signed right", hs256(blankSub), unauthorized),
                new BadToken("no exp, signed right (beyond the spec's list: it would never expire)",
                        withoutExp(), unauthorized),
                new BadToken("expired an hour ago, signed right", expired("mallory", List.of("board-1")),
                        AuthException.EXPIRED));
    }

    private static String withoutExp() {
        Map<String, Object> noExp = claims("mallory");
        noExp.remove("exp");
        return hs256(noExp);
    }
}
