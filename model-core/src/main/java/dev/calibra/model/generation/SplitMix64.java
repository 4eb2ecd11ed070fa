package dev.calibra.model.generation;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014; Vigna's reference C {@code splitmix64.c}), written
 * out here so that a seed gives the same numbers on every JVM and machine. Version "splitmix64-v1":
 * changing this class changes recorded generations, so bump {@link #VERSION} if it ever changes.
 */
public final class SplitMix64 {

    public static final String VERSION = "splitmix64-v1";

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** Next 64 random bits. */
    public long nextLong() {
        // z = (x += 0x9e3779b97f4a7c15); z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; ...
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform double in [0, 1) from the top 53 bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
