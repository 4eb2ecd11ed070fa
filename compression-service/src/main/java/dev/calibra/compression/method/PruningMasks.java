package dev.calibra.compression.method;

/** Mask selection on a score matrix, shared by Wanda and magnitude pruning. */
final class PruningMasks {

    private PruningMasks() {
    }

    /**
     * Per output row: N:M marks the N lowest scores of each M-group ({@code topk(largest=False)}, ties to the
     * lower column); unstructured marks the first {@code int(columns * sparsity)} of a stable ascending sort.
     */
    static boolean[] perRow(float[] scores, int rows, int columns, SparsityPattern pattern) {
        boolean[] mask = new boolean[scores.length];
        if (pattern instanceof SparsityPattern.NOfM nm) {
            requireGroups(columns, nm);
            for (int r = 0; r < rows; r++) {
                for (int g = r * columns; g < (r + 1) * columns; g += nm.m()) {
                    Selection.markSmallestInGroup(scores, g, nm.m(), nm.n(), mask);
                }
            }
            return mask;
        }
        int prunedPerRow = (int) (columns * pattern.targetSparsity());
        RowParallel.forEachRowRange(rows, (from, to) -> {
            float[] scratch = new float[columns];
            for (int r = from; r < to; r++) {
                Selection.markSmallestStable(scores, r * columns, columns, prunedPerRow, mask, scratch);
            }
        });
        return mask;
    }

    /** Whole matrix: {@code scores <= sort(scores.flatten())[int(numel * sparsity)]}. */
    static boolean[] wholeMatrix(float[] scores, double sparsity) {
        float thresh = Selection.kthSmallest(scores, 0, scores.length, (int) (scores.length * sparsity),
                new float[scores.length]);
        boolean[] mask = new boolean[scores.length];
        for (int k = 0; k < scores.length; k++) {
            mask[k] = scores[k] <= thresh;
        }
        return mask;
    }

    static void requireGroups(int columns, SparsityPattern.NOfM nm) {
        if (columns % nm.m() != 0) {
            throw new IllegalArgumentException("columns: " + columns + " is not a multiple of m=" + nm.m());
        }
    }

    static float[] apply(float[] weight, boolean[] mask) {
        float[] out = weight.clone();
        for (int k = 0; k < out.length; k++) {
            if (mask[k]) {
                out[k] = 0f;
            }
        }
        return out;
    }
}
