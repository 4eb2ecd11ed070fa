package dev.calibra.model.chat.jinja;

/**
 * Bounds on what a template may build. A chat template comes with a registered model, so a hostile one
 * ('x' * 10**12, doubling a string in a loop) must fail cleanly instead of filling a shared worker's heap;
 * Jinja2's sandbox bounds only range(). Real renderings are kilobytes.
 */
final class Limits {

    /** Longest string or list a template may make, and the longest rendering: 64 Mi characters or items. */
    static final long MAX_LENGTH = 64L << 20;

    private Limits() {}

    static void requireLength(long length) {
        if (length > MAX_LENGTH) {
            throw new PyException("MemoryError", "the template builds a value of " + (length == Long.MAX_VALUE ? "over 2^63"
                    : String.valueOf(length)) + " characters or items, over Calibra's limit of " + MAX_LENGTH);
        }
    }
}
