package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Output errors of a linear on its calibration inputs {@code x [tokens, in]}: {@code sum (x (W - W')^T)^2} over
 * tokens and outputs, computed from the difference (not as the difference of two outputs, which loses the small
 * error to the large outputs' rounding), a slice of tokens at a time so the product stays small.
 */
public final class LinearOutputError {

    /** Tokens per product: {@code [TOKENS, rows]} floats at a time. */
    private static final long TOKENS = 4096;

    private final NDArray x;

    /** @param x the inputs, borrowed (the caller keeps and closes them) */
    public LinearOutputError(NDArray x) {
        this.x = x;
    }

    public long tokens() {
        return x.getShape().get(0);
    }

    /** {@code sum over tokens and rows of (x D^T)^2} for {@code D [rows, in]} row-major. */
    public double sumOfSquares(float[] d, int rows, int columns) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray dt = scope.create(d, new Shape(rows, columns)).transpose();
            double sum = 0;
            long n = tokens();
            for (long from = 0; from < n; from += TOKENS) {
                NDArray slice = n <= TOKENS ? x : x.get("{}:{}", from, Math.min(n, from + TOKENS));
                NDArray product = slice.matMul(dt);
                sum += product.square().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                product.close();
                if (slice != x) {
                    slice.close();
                }
            }
            return sum;
        }
    }

    /** {@code mean((x W^T - x W'^T)^2)} over tokens and outputs: AWQ's loss when a linear is its own group. */
    public double meanSquared(float[] original, float[] candidate, int rows, int columns) {
        float[] d = new float[original.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = original[i] - candidate[i];
        }
        return sumOfSquares(d, rows, columns) / ((double) tokens() * rows);
    }

    /** {@code ||x (W - W')^T||^2 / ||x W^T||^2}, the relative reconstruction error every method reports. */
    public double relative(float[] original, float[] compressed, int rows, int columns) {
        double signal = sumOfSquares(original, rows, columns);
        double error = meanSquared(original, compressed, rows, columns) * tokens() * rows;
        return signal == 0 ? (error == 0 ? 0 : Double.POSITIVE_INFINITY) : error / signal;
    }
}
