package dev.calibra.rpc.auth;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API keys as they travel: secrets are "cal_" + 256 random bits in base64url, sent as
 * `authorization: Bearer <secret>`; the registry stores only their sha256.
 */
public final class ApiKeys {

    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** Sent by service keys to act for a team (ignored for other roles). */
    public static final Metadata.Key<String> ACTING_TEAM =
            Metadata.Key.of("calibra-team", Metadata.ASCII_STRING_MARSHALLER);

    public static final String SECRET_PREFIX = "cal_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    public static String newSecret() {
        byte[] bits = new byte[32];
        RANDOM.nextBytes(bits);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    public static String sha256(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first characters of a secret, shown in listings so people can tell keys apart. */
    public static String prefix(String secret) {
        return secret.substring(0, Math.min(8, secret.length()));
    }

    /** The secret of an `authorization: Bearer ...` header, if the call carries one. */
    public static Optional<String> bearer(Metadata headers) {
        String value = headers.get(AUTHORIZATION);
        if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String secret = value.substring(7).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }
}
