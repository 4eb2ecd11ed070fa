package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;

/**
 * Integer draws from {@link SplitMix64} ("splitmix64-v1"), so the same seed gives the same choices on
 * every machine. Bounded draws reject the top of the 64-bit range instead of taking a biased modulo.
 */
public final class Draws {

    public static final String VERSION = SplitMix64.VERSION + "/uniform-rejection-v1";

    private Draws() {}

    /** Uniform in [0, bound). */
    public static long uniform(SplitMix64 random, long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, got " + bound);
        }
        // Accept only values below the largest multiple of bound that fits in 63 bits.
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        while (true) {
            long value = random.nextLong() >>> 1;
            if (value < limit) {
                return value % bound;
            }
        }
    }

    public static int uniform(SplitMix64 random, int bound) {
        return (int) uniform(random, (long) bound);
    }

    /** Fisher-Yates shuffle of the first {@code prefix} positions (a uniform random prefix of a permutation). */
    public static void partialShuffle(SplitMix64 random, int[] values, int prefix) {
        for (int i = 0; i < prefix; i++) {
            int j = i + uniform(random, values.length - i);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
