package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.linalg.Linalg;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Accumulates the layer Hessian {@code H = 2/n * sum_b X_b^T X_b} of the quadratic layer-wise objective
 * {@code ||W X - W' X||^2} (GPTQ paper eq. 1; the 2 is the derivative's factor), with n the number of
 * sequences added and {@code X_b} a batch of token rows {@code [tokens, columns]}.
 *
 * <p>Port of {@code GPTQ.add_batch} / {@code SparseGPT.add_batch}: a 3-D batch {@code [b, t, c]} counts b
 * sequences and is flattened to {@code [b*t, c]}. The reference keeps a running average
 * ({@code H *= n/(n+b); H += (sqrt(2/(n+b)) X)^T (sqrt(2/(n+b)) X)}); we keep the plain sum
 * {@code S = sum X^T X}, only its lower triangle (blocked MKL sgemm reading the batch in place, about 53%
 * of a full matmul's flops), and scale and mirror once when H is read. Equal in exact arithmetic; they
 * differ by float32 rounding only.
 */
final class HessianAccumulator implements AutoCloseable {

    private final Linalg linalg;
    private NativeFloats sum;      // S = sum X^T X, lower triangle, float32 [columns, columns]
    private int columns = -1;
    private long sequences;        // n
    private long tokens;
    private boolean taken;

    HessianAccumulator(Linalg linalg) {
        this.linalg = linalg;
    }

    /** Adds {@code [sequences, tokens, columns]} or {@code [tokens, columns]} (one sequence). */
    void add(NDArray inputs) {
        Shape shape = inputs.getShape();
        long batchSequences = batchSequences(shape);
        int batchColumns = (int) shape.get(shape.dimension() - 1);
        if (sum != null && batchColumns != columns) {
            throw new IllegalArgumentException("inputs: last dimension " + batchColumns
                    + " differs from earlier batches (" + columns + ")");
        }
        if (sum == null) {
            columns = batchColumns;
            sum = new NativeFloats((long) columns * columns);
        }
        try (NDManager scope = inputs.getManager().newSubManager()) {
            NDArray x = inputs.reshape(-1, columns);
            x.attach(scope);                                   // temporaries below live in scope
            x = x.toType(DataType.FLOAT32, false);
            int tokens = (int) x.getShape().get(0);
            FloatBuffer rows = x.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();  // no copy
            linalg.gramAccumulateLower(rows, tokens, columns, sum.buffer);   // S += X^T X
        }
        sequences += batchSequences;
        tokens += shape.size() / batchColumns;
    }

    static long batchSequences(Shape shape) {
        if (shape.dimension() == 2) {
            return 1;
        }
        if (shape.dimension() == 3) {
            return shape.get(0);
        }
        throw new IllegalArgumentException("inputs: expected [sequences, tokens, columns] or [tokens, columns], got "
                + shape);
    }

    long sequences() {
        return sequences;
    }

    long tokens() {
        return tokens;
    }

    int columns() {
        return columns;
    }

    /**
     * A new row-major {@code H = 2/n * S} [columns, columns], both triangles filled. Frees the sum: a linear's
     * Hessian is taken once, and at 7B shapes (11008^2 floats, 485 MB) the sum must not outlive it.
     */
    float[] takeHessian() {
        requireBatches();
        float[] H = new float[columns * columns];
        sum.buffer.get(0, H);
        close();
        taken = true;
        float scale = (float) (2.0 / sequences);
        for (int i = 0; i < columns; i++) {
            int row = i * columns;
            for (int j = 0; j <= i; j++) {
                H[row + j] *= scale;
            }
        }
        Linalg.mirrorLowerToUpper(H, columns);
        return H;
    }

    void requireBatches() {
        if (taken) {
            throw new IllegalStateException("the Hessian was already taken (a compressor compresses once)");
        }
        if (sum == null) {
            throw new IllegalStateException("no calibration batches were added");
        }
    }

    @Override
    public void close() {
        if (sum != null) {
            sum.close();
            sum = null;
        }
    }
}
