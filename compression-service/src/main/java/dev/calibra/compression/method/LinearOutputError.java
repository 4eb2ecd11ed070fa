package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Output errors of a linear on its calibration inputs {@code x [tokens, in]}: {@code sum (x D^T)^2} over tokens and
 * outputs for a weight difference {@code D = W - W'}, computed from the difference (not as the difference of two
 * outputs, which loses the small error to the large outputs' rounding). With more tokens than input columns it is
 * {@code tr(D G D^T)} with the gram {@code G = x^T x} made once: AWQ's scale search asks twenty times, and each ask
 * then costs {@code rows x in^2} instead of {@code tokens x in x rows} (16x less at 32 x 2048 tokens and 4096 columns).
 */
public final class LinearOutputError implements AutoCloseable {

    /** Tokens per product: {@code [TOKENS, in]} at a time. */
    private static final long TOKENS = 4096;

    private static final Linalg LINALG = Linalgs.best();

    private final NDArray x;
    private final NDManager manager;
    private NDArray gram;

    /** @param x the inputs, borrowed (the caller keeps and closes them) */
    public LinearOutputError(NDArray x) {
        this.x = x;
        this.manager = x.getManager().newSubManager();
    }

    public long tokens() {
        return x.getShape().get(0);
    }

    /** {@code sum over tokens and rows of (x D^T)^2} for {@code D [rows, in]} row-major. */
    public double sumOfSquares(float[] d, int rows, int columns) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray difference = OwnedArrays.of(scope, d, new Shape(rows, columns));
            if (tokens() > columns) {
                // tr(D G D^T) = sum of (D G) * D
                return difference.matMul(gram()).mul(difference).sum().toType(DataType.FLOAT64, false).getDouble();
            }
            return direct(difference.transpose());
        }
    }

    private double direct(NDArray dt) {
        double sum = 0;
        long n = tokens();
        for (long from = 0; from < n; from += TOKENS) {
            try (NDManager chunk = manager.newSubManager()) {
                NDArray slice = slice(from, chunk);
                sum += slice.matMul(dt).square().sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return sum;
    }

    /** Tokens {@code from..from+TOKENS} of x in {@code chunk} (x itself lent to it when it is one slice). */
    private NDArray slice(long from, NDManager chunk) {
        long n = tokens();
        if (n <= TOKENS) {
            x.tempAttach(chunk);
            return x;
        }
        NDArray slice = x.get("{}:{}", from, Math.min(n, from + TOKENS));
        slice.attach(chunk);
        return slice;
    }

    /** {@code x^T x}: its lower triangle by the blocked gram GPTQ's Hessian uses (half a matmul's flops), mirrored. */
    private NDArray gram() {
        if (gram == null) {
            int columns = Math.toIntExact(x.getShape().get(1));
            float[] values = new float[columns * columns];
            try (NativeFloats sum = new NativeFloats((long) columns * columns)) {
                long n = tokens();
                for (long from = 0; from < n; from += TOKENS) {
                    try (NDManager chunk = manager.newSubManager()) {
                        NDArray slice = slice(from, chunk).toType(DataType.FLOAT32, false);
                        FloatBuffer rows = slice.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
                        LINALG.gramAccumulateLower(rows, Math.toIntExact(slice.getShape().get(0)), columns, sum.buffer);
                    }
                }
                sum.buffer.get(0, values);
            }
            Linalg.mirrorLowerToUpper(values, columns);
            gram = OwnedArrays.of(manager, values, new Shape(columns, columns));
        }
        return gram;
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

    @Override
    public void close() {
        manager.close();
    }
}
