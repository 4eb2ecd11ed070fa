package dev.calibra.compression.method;

/**
 * A compressed weight and its checked postcondition. Instances are created only after the postcondition
 * (sparsity pattern, or number of quantization levels) has been verified on the weight itself.
 */
public sealed interface CompressedLayer permits PrunedLayer, QuantizedLayer, SpqrLayer, AwqLayer {

    /**
     * The new weight, row-major {@code [rows, columns]} float32 (dequantized for quantization methods); null
     * once released ({@link #withoutWeight}) after its block was checkpointed.
     */
    float[] weight();

    /**
     * The same result without its weight, for a run that keeps the weights in its block checkpoints instead of
     * in memory (the postcondition, error and quantization grid stay).
     */
    CompressedLayer withoutWeight();

    int rows();

    int columns();

    /**
     * {@code ||W X - W' X||_F^2 / ||W X||_F^2} over the calibration inputs X, computed as
     * {@code tr((W - W') H (W - W')^T) / tr(W H W^T)} from the accumulated Hessian
     * {@code H = 2/n X X^T}: since {@code ||A X||_F^2 = tr(A X X^T A^T) = (n/2) tr(A H A^T)}, the factor
     * n/2 cancels and the ratio is exact (up to float rounding). NaN when no Hessian was accumulated.
     * The undampened H is used.
     */
    double relativeReconstructionError();

    /**
     * Bits per weight as stored (quantization): the grid methods count their codes plus a float16 scale and a
     * {@code bits}-bit zero point per group, as the packed formats store them; SpQR counts as its paper does
     * ({@link SpqrSettings#averageBits}). NaN for pruning.
     */
    default double averageBits() {
        return Double.NaN;
    }

    /** Fraction of weights kept in full precision beside the quantized ones (SpQR's outliers). */
    default double outlierFraction() {
        return 0;
    }

    /** Bits per weight of a grid with a float16 scale and a {@code bits}-bit zero point per group. */
    static double gridBits(int bits, int groupSize, int columns) {
        int group = groupSize <= 0 ? columns : Math.min(groupSize, columns);
        return bits + (16.0 + bits) / group;
    }
}
