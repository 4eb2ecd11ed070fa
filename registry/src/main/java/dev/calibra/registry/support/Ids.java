package dev.calibra.registry.support;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Record ids: a type prefix, 12 hex digits of milliseconds and 8 random hex digits, e.g.
 * "mdl-0193f2a4b5c6-1a2b3c4d". Ids sort by creation time, which keyset paging relies on.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next(String prefix) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return prefix + "-" + String.format("%012x", System.currentTimeMillis()) + "-" + HexFormat.of().formatHex(random);
    }
}
