package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;

/**
 * Wanda (Sun, Liu, Bair, Kolter 2024, "A Simple and Effective Pruning Approach for Large Language
 * Models"), ported from locuslab/wanda lib/prune.py {@code prune_wanda}: score each weight by
 * {@code |W_ij| * ||X_j||_2} (eq. 1; {@code ||X_j||^2} averaged over sequences is {@code scaler_row}, see
 * {@link InputNormAccumulator}) and zero the lowest scores of each output row (unstructured: the first
 * {@code int(columns * sparsity)} of a stable ascending sort) or of each group of M columns per row (N:M).
 * No weight update.
 */
public final class WandaPruner implements LayerCompressor {

    private final WandaSettings settings;
    private final Linalg linalg;
    private final InputNormAccumulator inputNorms = new InputNormAccumulator();
    private final HessianAccumulator hessian;

    public WandaPruner(WandaSettings settings) {
        this(settings, Linalgs.best());
    }

    public WandaPruner(WandaSettings settings, Linalg linalg) {
        this.settings = settings;
        this.linalg = linalg;
        this.hessian = settings.measureReconstructionError() ? new HessianAccumulator(linalg) : null;
    }

    @Override
    public void addBatch(NDArray inputs) {
        inputNorms.add(inputs);
        if (hessian != null) {
            hessian.add(inputs);
        }
    }

    /** The accumulated {@code scaler_row}, one value per input column. */
    public float[] scalerRow() {
        return inputNorms.scalerRow();
    }

    @Override
    public PrunedLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.requireWeight(weight, rows, columns);
        float[] scalerRow = inputNorms.scalerRow();
        if (scalerRow.length != columns) {
            throw new IllegalArgumentException("columns: weight has " + columns + " input columns but the inputs have "
                    + scalerRow.length);
        }
        // W_metric = |W| * sqrt(scaler_row)
        float[] inputNorm = new float[columns];
        for (int j = 0; j < columns; j++) {
            inputNorm[j] = (float) Math.sqrt(scalerRow[j]);
        }
        float[] metric = new float[weight.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < columns; j++) {
                metric[r * columns + j] = Math.abs(weight[r * columns + j]) * inputNorm[j];
            }
        }
        boolean[] mask = PruningMasks.perRow(metric, rows, columns, settings.pattern());
        float[] pruned = PruningMasks.apply(weight, mask);
        double error = Double.NaN;
        if (hessian != null) {
            LayerShapes.require(weight, rows, columns, hessian);
            error = ReconstructionError.relative(weight, pruned, rows, columns, hessian.takeHessian(), linalg);
        }
        return PrunedLayer.checked(pruned, rows, columns, settings.pattern(), error);
    }

    @Override
    public void close() {
        if (hessian != null) {
            hessian.close();
        }
    }
}
