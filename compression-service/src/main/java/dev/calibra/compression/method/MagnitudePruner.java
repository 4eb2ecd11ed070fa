package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;

/**
 * Magnitude pruning, the baseline of locuslab/wanda lib/prune.py {@code prune_magnitude}: zero every
 * weight with {@code |W| <= } the {@code int(numel * sparsity)}-th smallest magnitude of the whole matrix
 * (unstructured), or the N smallest of each M-group per row (N:M). Needs no inputs; batches, if given,
 * only serve to report the reconstruction error.
 */
public final class MagnitudePruner implements LayerCompressor {

    private final MagnitudeSettings settings;
    private final Linalg linalg;
    private final HessianAccumulator hessian;

    public MagnitudePruner(MagnitudeSettings settings) {
        this(settings, Linalgs.best());
    }

    public MagnitudePruner(MagnitudeSettings settings, Linalg linalg) {
        this.settings = settings;
        this.linalg = linalg;
        this.hessian = settings.measureReconstructionError() ? new HessianAccumulator(linalg) : null;
    }

    @Override
    public void addBatch(NDArray inputs) {
        if (hessian != null) {
            hessian.add(inputs);
        }
    }

    @Override
    public PrunedLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.requireWeight(weight, rows, columns);
        float[] magnitude = new float[weight.length];
        for (int k = 0; k < weight.length; k++) {
            magnitude[k] = Math.abs(weight[k]);
        }
        SparsityPattern pattern = settings.pattern();
        boolean[] mask = pattern instanceof SparsityPattern.Unstructured u
                ? PruningMasks.wholeMatrix(magnitude, u.sparsity())
                : PruningMasks.perRow(magnitude, rows, columns, pattern);
        float[] pruned = PruningMasks.apply(weight, mask);
        double error = Double.NaN;
        if (hessian != null) {
            LayerShapes.require(weight, rows, columns, hessian);
            error = ReconstructionError.relative(weight, pruned, rows, columns, hessian.takeHessian(), linalg);
        }
        return PrunedLayer.checked(pruned, rows, columns, pattern, error);
    }

    @Override
    public void close() {
        if (hessian != null) {
            hessian.close();
        }
    }
}
