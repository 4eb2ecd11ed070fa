package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;
import dev.calibra.model.linalg.NotPositiveDefiniteException;
import java.util.stream.IntStream;

/**
 * SpQR (Dettmers et al. 2023, "SpQR: A Sparse-Quantized Representation for Near-Lossless LLM Weight
 * Compression"), ported from Vahe1994/SpQR {@code SPQRUtil.quantize} and {@code get_leave_one_out_error}.
 *
 * <p>GPTQ's column loop (symbols as in {@link GptqCompressor}: {@code H}, {@code Hinv} the upper Cholesky factor
 * of the damped inverse, {@code i1, i2} a block) with three changes. (1) Small groups, fitted when the loop
 * reaches a group's first column, from the weights as updated so far; each group's per-row scales and zeros are
 * quantized again in groups of rows ({@link SpqrGrid#secondLevel}). (2) Outliers: a weight whose scaled error
 * {@code ((w - q) / Hinv_cc)^2} exceeds {@code tau = outlier_threshold * mean_j(var(W[:, j]) / Hinv_jj^2)} stays in
 * full precision; before a group is fitted, weights whose leave-one-out error reduction exceeds tau are replaced
 * by their row's mean so they do not stretch the grid. (3) Columns are visited in act-order (decreasing
 * {@code diag H}) by default; the result is returned in the original order.
 */
public final class SpqrCompressor implements LayerCompressor {

    private final SpqrSettings settings;
    private final Linalg linalg;
    private final HessianAccumulator hessian;
    private final OutputEnergy outputs = new OutputEnergy();

    public SpqrCompressor(SpqrSettings settings) {
        this(settings, Linalgs.best());
    }

    public SpqrCompressor(SpqrSettings settings, Linalg linalg) {
        this.settings = settings;
        this.linalg = linalg;
        this.hessian = new HessianAccumulator(linalg);
    }

    @Override
    public void addBatch(NDArray inputs) {
        hessian.add(inputs);
    }

    @Override
    public void addOutputs(NDArray outputs) {
        this.outputs.add(outputs);
    }

    @Override
    public SpqrLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.require(weight, rows, columns, hessian);
        float[] H = hessian.takeHessian();
        int[] perm = settings.actOrder() ? GptqCompressor.descendingDiagonalOrder(H, columns) : IntStream.range(0, columns).toArray();
        float[] W = LayerShapes.permuteColumns(weight, rows, columns, perm);
        H = LayerShapes.permuteSymmetric(H, columns, perm);
        double signal = ReconstructionError.signal(outputs, hessian, weight, rows, columns,
                LayerShapes.permuteSymmetric(H, columns, LayerShapes.inverse(perm)), linalg);

        // dead inputs, then percdamp * mean|diag H| on the diagonal, then H[dead, dead] = 1 (the reference's order)
        boolean[] dead = new boolean[columns];
        double diagonalSum = 0;
        for (int i = 0; i < columns; i++) {
            dead[i] = H[i * columns + i] == 0f;
            diagonalSum += Math.abs(H[i * columns + i]);
        }
        float lambda = (float) (settings.dampening() * (float) (diagonalSum / columns));
        for (int i = 0; i < columns; i++) {
            H[i * columns + i] = dead[i] ? 1f : H[i * columns + i] + lambda;
        }
        LayerShapes.zeroColumns(W, rows, columns, dead);
        try {
            linalg.upperCholeskyOfInverseOrUnchanged(H, columns);          // H becomes Hinv in place
        } catch (NotPositiveDefiniteException e) {
            throw new HessianNotPositiveDefiniteException(settings.dampening(), 1, e);
        }
        float[] Hinv = H;
        float threshold = outlierThreshold(W, rows, columns, Hinv);
        SpqrState state = new SpqrState(settings, rows, columns, perm);
        double errorEnergy = 0;
        try (NativeWeight Wn = new NativeWeight(W, rows, columns, Hinv, settings.blockSize(), linalg)) {
            for (int i1 = 0; i1 < columns; i1 += settings.blockSize()) {
                int i2 = Math.min(i1 + settings.blockSize(), columns);
                int count = i2 - i1;
                float[][] W1 = new float[count][rows];            // W1[i] is column i1 + i
                Wn.readColumnsTransposed(i1, i2, W1);
                float[][] Err1 = new float[count][rows];
                for (int i = 0; i < count; i++) {
                    int column = i1 + i;
                    if (column % settings.groupSize() == 0) {
                        state.fitGroup(column, groupColumns(Wn, W1, i1, i2, column, rows, columns), Hinv, threshold);
                    }
                    quantizeColumn(state, column, W1[i], Err1[i], Hinv[column * columns + column], threshold);
                    // W[:, column+1:i2] -= err (x) Hinv[column, column+1:i2]
                    for (int j = i + 1; j < count; j++) {
                        float h = Hinv[column * columns + i1 + j];
                        float[] wj = W1[j];
                        float[] err = Err1[i];
                        for (int r = 0; r < rows; r++) {
                            wj[r] -= err[r] * h;
                        }
                    }
                }
                Wn.writeColumnsTransposed(i1, i2, W1);
                errorEnergy += ReconstructionError.energy(Err1);
                Wn.lazyBatchUpdate(Err1, i1, i2);                  // W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]
            }
            float[] Q = Wn.toArray();                              // every column now holds its quantized value
            double differenceEnergy = ReconstructionError.differenceEnergy(W, Q);
            double error = ReconstructionError.relativeFromObsErrors(signal, errorEnergy, lambda, differenceEnergy);
            return state.result(LayerShapes.permuteColumns(Q, rows, columns, LayerShapes.inverse(perm)), error);
        }
    }

    /**
     * {@code weight[:, column:column+groupSize]} as the reference reads it when fitting: the block's columns as
     * updated so far, later columns as they stand (the block's lazy update not yet applied), row-major.
     */
    private float[] groupColumns(NativeWeight Wn, float[][] W1, int i1, int i2, int column, int rows, int columns) {
        int end = Math.min(columns, column + settings.groupSize());
        int width = end - column;
        float[] group = new float[rows * width];
        for (int c = column; c < Math.min(end, i2); c++) {
            float[] source = W1[c - i1];
            for (int r = 0; r < rows; r++) {
                group[r * width + (c - column)] = source[r];
            }
        }
        if (end > i2) {
            float[] rest = new float[rows * (end - i2)];
            Wn.readColumns(i2, end, rest);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(rest, r * (end - i2), group, r * width + (i2 - column), end - i2);
            }
        }
        return group;
    }

    /**
     * One column: quantize on its group's grid; with outliers, a weight whose scaled error squared exceeds tau is
     * kept as it is and the others are quantized again (the reference re-quantizes {@code w * (1 - is_outlier)}).
     * Writes the result into {@code w} and the scaled errors into {@code err}.
     */
    private void quantizeColumn(SpqrState state, int column, float[] w, float[] err, float d, float threshold) {
        int rows = w.length;
        int maxq = (1 << settings.bits()) - 1;
        boolean outliers = threshold != Float.POSITIVE_INFINITY;
        for (int r = 0; r < rows; r++) {
            float scale = state.scale(r);
            float zero = state.zero(r);
            float level = SpqrGrid.level(w[r], scale, zero, maxq);
            float q = scale * (level - zero);
            float e = (w[r] - q) / d;
            if (outliers && e * e > threshold) {
                state.setOutlier(r, column, w[r]);
                level = SpqrGrid.level(0f, scale, zero, maxq);
                q = w[r];
                e = 0f;
            }
            state.setCode(r, column, (int) level);
            err[r] = e;
            w[r] = q;
        }
    }

    /** {@code outlier_relative_threshold * mean_j(var(W[:, j]) / Hinv_jj^2)}, var unbiased over rows. */
    private float threshold(float[] W, int rows, int columns, float[] Hinv) {
        return outlierThreshold(W, rows, columns, Hinv);
    }

    private float outlierThreshold(float[] W, int rows, int columns, float[] Hinv) {
        if (settings.outlierThreshold() == Double.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        double sum = 0;
        for (int j = 0; j < columns; j++) {
            double mean = 0;
            for (int r = 0; r < rows; r++) {
                mean += W[r * columns + j];
            }
            mean /= rows;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                double d = W[r * columns + j] - mean;
                squares += d * d;
            }
            double variance = squares / (rows - 1);
            double h = Hinv[j * columns + j];
            sum += variance / (h * h);
        }
        return (float) (settings.outlierThreshold() * (sum / columns));
    }

    @Override
    public void close() {
        hessian.close();
    }
}
