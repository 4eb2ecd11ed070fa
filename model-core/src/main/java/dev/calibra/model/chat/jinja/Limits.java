package dev.calibra.model.chat.jinja;

/**
 * Bounds on what a template may build and run. A chat template comes with a registered model, so a
 * hostile one ('x' * 10**12, doubling a string in a loop, loops nested to 10**10 steps) must fail cleanly
 * instead of filling a shared worker's heap or holding it for hours; Jinja2's sandbox bounds only range().
 * Real renderings are kilobytes and a few loop steps per message.
 */
final class Limits {

    /** Longest string or list a template may make, and the longest rendering: 64 Mi characters or items. */
    static final long MAX_LENGTH = 64L << 20;

    /** Most loop iterations one rendering may run: real templates run a few per message. */
    static final long MAX_ITERATIONS = 1_000_000;

    private Limits() {}

    static void requireIterations(long iterations) {
        if (iterations > MAX_ITERATIONS) {
            throw new PyException("TimeoutError", "the template ran over " + MAX_ITERATIONS
                    + " loop iterations, Calibra's limit for one rendering");
        }
    }

    static void requireLength(long length) {
        if (length > MAX_LENGTH) {
            throw new PyException("MemoryError", "the template builds a value of " + (length == Long.MAX_VALUE ? "over 2^63"
                    : String.valueOf(length)) + " characters or items, over Calibra's limit of " + MAX_LENGTH);
        }
    }
}
