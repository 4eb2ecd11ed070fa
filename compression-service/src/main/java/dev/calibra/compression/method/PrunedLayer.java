package dev.calibra.compression.method;

/**
 * A pruned weight with its postcondition: for N:M every full group of M columns in every row holds at
 * least N zeros; for unstructured sparsity the achieved fraction of zeros is at least the target less
 * one column's worth (per-row methods round down per row).
 *
 * @param zeroCount        zeros in the new weight
 * @param achievedSparsity zeroCount / (rows * columns)
 */
public record PrunedLayer(float[] weight, int rows, int columns, SparsityPattern pattern, long zeroCount,
        double achievedSparsity, double relativeReconstructionError) implements CompressedLayer {

    @Override
    public PrunedLayer withoutWeight() {
        return new PrunedLayer(null, rows, columns, pattern, zeroCount, achievedSparsity, relativeReconstructionError);
    }

    /** Counts zeros, checks the pattern and throws {@link IllegalStateException} when it does not hold. */
    static PrunedLayer checked(float[] weight, int rows, int columns, SparsityPattern pattern,
            double relativeReconstructionError) {
        long zeros = 0;
        for (float value : weight) {
            if (value == 0f) {
                zeros++;
            }
        }
        double achieved = (double) zeros / ((long) rows * columns);
        if (pattern instanceof SparsityPattern.NOfM nm) {
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g + nm.m() <= columns; g += nm.m()) {
                    int groupZeros = 0;
                    for (int j = g; j < g + nm.m(); j++) {
                        groupZeros += weight[r * columns + j] == 0f ? 1 : 0;
                    }
                    if (groupZeros < nm.n()) {
                        throw new IllegalStateException("postcondition: row " + r + " columns " + g + ".."
                                + (g + nm.m() - 1) + " hold " + groupZeros + " zeros, fewer than n=" + nm.n());
                    }
                }
            }
        } else if (achieved < pattern.targetSparsity() - 1.0 / columns - 1e-12) {
            throw new IllegalStateException("postcondition: achieved sparsity " + achieved + " is below the target "
                    + pattern.targetSparsity());
        }
        return new PrunedLayer(weight, rows, columns, pattern, zeros, achieved, relativeReconstructionError);
    }
}
