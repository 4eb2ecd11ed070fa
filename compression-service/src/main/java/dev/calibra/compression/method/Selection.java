package dev.calibra.compression.method;

/** Order statistics on float32 scores without sorting whole arrays. */
final class Selection {

    private Selection() {
    }

    /**
     * The value at index k of {@code values} sorted ascending ({@code torch.sort(x)[0][k]}), by quickselect
     * on a scratch copy. Scores are finite and non-negative here.
     */
    static float kthSmallest(float[] values, int from, int length, int k, float[] scratch) {
        System.arraycopy(values, from, scratch, 0, length);
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
