package dev.calibra.registry.support;

import dev.calibra.rpc.CalibraException;

/** Request validation that names the field at fault. */
public final class Checks {

    private Checks() {}

    public static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw CalibraException.invalidArgument(field + " is required");
        }
        return value.strip();
    }

    public static void positive(long value, String field) {
        if (value <= 0) {
            throw CalibraException.invalidArgument(field + " must be > 0, got " + value);
        }
    }

    public static void sha256(String value, String field) {
        if (!value.matches("[0-9a-f]{64}")) {
            throw CalibraException.invalidArgument(field + " must be 64 lower-case hex digits (a sha256), got '" + value + "'");
        }
    }
}
