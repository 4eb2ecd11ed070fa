package dev.calibra.compression.method;

import java.util.stream.IntStream;

/** Order statistics on float32 scores without sorting whole arrays. */
final class Selection {

    /** From this length on, {@link #kthSmallest} selects by a parallel radix pass instead of quickselect. */
    static final int RADIX_FROM = 1 << 16;

    /** Buckets by the top 16 bits of a non-negative float's bit pattern (sign bit 0, so 2^15 of them). */
    private static final int BUCKET_SHIFT = 16;

    private Selection() {
    }

    /**
     * {@link #kthSmallest} for long arrays (a SparseGPT block holds 128 x rows scores): non-negative floats
     * order like their bit patterns, so one parallel histogram of the top bits finds the bucket holding the
     * k-th value and a quickselect among that bucket's few values finishes. Falls back to plain quickselect
     * when a value is negative or NaN.
     */
    static float kthSmallestRadix(float[] values, int from, int length, int k, float[] scratch) {
        int buckets = 1 << (31 - BUCKET_SHIFT);
        int chunks = 4 * Runtime.getRuntime().availableProcessors();
        int[][] counts = new int[chunks][];
        boolean[] negative = new boolean[1];
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int[] count = new int[buckets];
            int start = from + (int) ((long) length * c / chunks);
            int end = from + (int) ((long) length * (c + 1) / chunks);
            for (int i = start; i < end; i++) {
                int bits = Float.floatToRawIntBits(values[i]);
                if (bits < 0 || bits > 0x7f800000) {                      // negative, -0 or NaN
                    negative[0] = true;
                    return;
                }
                count[bits >>> BUCKET_SHIFT]++;
            }
            counts[c] = count;
        });
        if (negative[0]) {
            return quickselect(values, from, length, k, scratch);
        }
        int bucket = 0;
        int before = 0;                                                // values in buckets below `bucket`
        for (; bucket < buckets; bucket++) {
            int inBucket = 0;
            for (int[] count : counts) {
                inBucket += count[bucket];
            }
            if (before + inBucket > k) {
                break;
            }
            before += inBucket;
        }
        int size = 0;
        for (int i = from; i < from + length; i++) {
            if (Float.floatToRawIntBits(values[i]) >>> BUCKET_SHIFT == bucket) {
                scratch[size++] = values[i];
            }
        }
        return quickselect(scratch, 0, size, k - before, scratch);
    }

    /**
     * The value at index k of {@code values} sorted ascending ({@code torch.sort(x)[0][k]}), by quickselect
     * on a scratch copy. Scores are finite and non-negative here.
     */
    static float kthSmallest(float[] values, int from, int length, int k, float[] scratch) {
        return length >= RADIX_FROM ? kthSmallestRadix(values, from, length, k, scratch)
                : quickselect(values, from, length, k, scratch);
    }

    private static float quickselect(float[] values, int from, int length, int k, float[] scratch) {
        if (values != scratch || from != 0) {
            System.arraycopy(values, from, scratch, 0, length);
        }
        int lo = 0;
        int hi = length - 1;
        while (lo < hi) {
            float pivot = medianOfThree(scratch[lo], scratch[(lo + hi) >>> 1], scratch[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (scratch[i] < pivot) {
                    i++;
                }
                while (scratch[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = scratch[i];
                    scratch[i] = scratch[j];
                    scratch[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return scratch[k];
            }
        }
        return scratch[k];
    }

    private static float medianOfThree(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /**
     * Marks the {@code count} smallest of {@code scores[from, from+length)} in {@code mask} (same indices),
     * ties going to the lower index, which is what a stable ascending sort keeps first.
     */
    static void markSmallestStable(float[] scores, int from, int length, int count, boolean[] mask, float[] scratch) {
        if (count <= 0) {
            return;
        }
        if (count >= length) {
            java.util.Arrays.fill(mask, from, from + length, true);
            return;
        }
        float threshold = kthSmallest(scores, from, length, count - 1, scratch);
        int below = 0;
        for (int j = from; j < from + length; j++) {
            if (scores[j] < threshold) {
                mask[j] = true;
                below++;
            }
        }
        for (int j = from; j < from + length && below < count; j++) {
            if (scores[j] == threshold) {
                mask[j] = true;
                below++;
            }
        }
    }

    /** For small groups (N:M): marks the {@code count} smallest by repeated minimum, lower index on ties. */
    static void markSmallestInGroup(float[] scores, int from, int length, int count, boolean[] mask) {
        for (int picked = 0; picked < count; picked++) {
            int best = -1;
            for (int j = from; j < from + length; j++) {
                if (!mask[j] && (best < 0 || scores[j] < scores[best])) {
                    best = j;
                }
            }
            mask[best] = true;
        }
    }
}
