package dev.calibra.model.gptq;

/**
 * The bit packing of AutoGPTQ's v1 checkpoints ({@code QuantLinear.pack}): integers of {@code bits} bits
 * laid one after another into a little-endian stream of 32-bit words, so 32 values take {@code bits}
 * words. For 2, 4 and 8 bits that is {@code 32 / bits} values per word; for 3 bits it is AutoGPTQ's
 * 32-values-in-3-words layout (values 10 and 21 straddle a word boundary), which is the same stream.
 */
public final class GptqBitPacking {

    private GptqBitPacking() {}

    /** Whether {@code bits} is one of the packable widths 2, 3, 4, 8. */
    public static void requireBits(int bits) {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits: must be 2, 3, 4 or 8, got " + bits);
        }
    }

    /** Words for {@code count} values (count a multiple of 32). */
    public static int wordCount(int count, int bits) {
        if (count % 32 != 0) {
            throw new IllegalArgumentException("count: " + count + " values cannot be packed, need a multiple of 32");
        }
        return count / 32 * bits;
    }

    /**
     * Packs {@code count} values read at {@code values[offset + k * stride]} into words written at
     * {@code words[wordOffset + w * wordStride]}. Each value must lie in [0, 2^bits).
     */
    public static void pack(int[] values, int offset, int stride, int count, int bits, int[] words, int wordOffset,
            int wordStride) {
        int n = wordCount(count, bits);
        int maxq = (1 << bits) - 1;
        for (int w = 0; w < n; w++) {
            words[wordOffset + w * wordStride] = 0;
        }
        for (int k = 0; k < count; k++) {
            int value = values[offset + k * stride];
            if ((value & ~maxq) != 0) {
                throw new IllegalArgumentException("value " + value + " at index " + k + " does not fit in " + bits + " bits");
            }
            long bit = (long) k * bits;
            int word = (int) (bit >>> 5);
            int shift = (int) (bit & 31);
            words[wordOffset + word * wordStride] |= value << shift;
            if (shift + bits > 32) {                                   // 3-bit values 10 and 21 straddle two words
                words[wordOffset + (word + 1) * wordStride] |= value >>> (32 - shift);
            }
        }
    }

    /** The inverse of {@link #pack}. */
    public static void unpack(int[] words, int wordOffset, int wordStride, int count, int bits, int[] values,
            int offset, int stride) {
        wordCount(count, bits);
        int maxq = (1 << bits) - 1;
        for (int k = 0; k < count; k++) {
            long bit = (long) k * bits;
            int word = (int) (bit >>> 5);
            int shift = (int) (bit & 31);
            long pair = Integer.toUnsignedLong(words[wordOffset + word * wordStride]);
            if (shift + bits > 32) {
                pair |= Integer.toUnsignedLong(words[wordOffset + (word + 1) * wordStride]) << 32;
            }
            values[offset + k * stride] = (int) (pair >>> shift) & maxq;
        }
    }
}
