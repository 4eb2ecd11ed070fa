package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;

/**
 * SparseGPT (Frantar, Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately Pruned in
 * One-Shot"), ported from IST-DASLab/sparsegpt {@code SparseGPT.fasterprune}; the near twin of
 * {@link GptqCompressor}, read them side by side.
 *
 * <p>Symbols as in the paper (Algorithm 1) and the reference: {@code H = 2 X X^T}; {@code Hinv} the upper
 * Cholesky factor of {@code (H + lambda I)^-1}; {@code i1, i2} a block of B columns; {@code W1} the block,
 * {@code mask1} its pruning mask, chosen adaptively per block (unstructured: one threshold of the OBS
 * saliency {@code w^2 / [Hinv]_qq^2} over the whole block, keeping {@code <= threshold}) or per group of
 * M columns when the loop reaches it (N:M: the N smallest saliencies of each row);
 * {@code Err1 = (w - pruned w) / [Hinv]_qq}; inside the block the OBS update runs column by column, and
 * {@code W[:, i2:] -= Err1 Hinv[i1:i2, i2:]} afterwards (lazy batch update, one sgemm).
 */
public final class SparseGptCompressor implements LayerCompressor {

    private final SparseGptSettings settings;
    private final Linalg linalg;
    private final HessianAccumulator hessian;
    private final OutputEnergy outputs = new OutputEnergy();

    public SparseGptCompressor(SparseGptSettings settings) {
        this(settings, Linalgs.best());
    }

    public SparseGptCompressor(SparseGptSettings settings, Linalg linalg) {
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
    public PrunedLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.require(weight, rows, columns, hessian);
        SparsityPattern pattern = settings.pattern();
        if (pattern instanceof SparsityPattern.NOfM nm && columns % nm.m() != 0) {
            throw new IllegalArgumentException("columns: " + columns + " is not a multiple of m=" + nm.m());
        }
        float[] H = hessian.takeHessian();
        float[] W = weight.clone();

        // dead inputs: H[dead, dead] = 1, W[:, dead] = 0
        boolean[] dead = InverseHessian.markDeadColumns(H, columns);
        LayerShapes.zeroColumns(W, rows, columns, dead);

        double signal = ReconstructionError.signal(outputs, hessian, W, rows, columns, H, linalg);   // tr(W H W^T)
        // H becomes its inverse's factor in place: one n x n heap array, not two (485 MB at 11008 columns)
        InverseHessian.Damped damped = InverseHessian.upperCholeskyOfDampedInverse(H, columns, settings.dampening(),
                linalg);
        float[] Hinv = damped.Hinv();
        float[] pruned;
        double errorEnergy = 0;                                // ||Err||^2, see ReconstructionError
        try (NativeWeight Wn = new NativeWeight(W, rows, columns, Hinv, settings.blockSize(), linalg)) {
            for (int i1 = 0; i1 < columns; i1 += settings.blockSize()) {
                int i2 = Math.min(i1 + settings.blockSize(), columns);
                int count = i2 - i1;
                float[][] W1 = new float[count][rows];         // W1[i] is column i of the block
                Wn.readColumnsTransposed(i1, i2, W1);
                float[] Hinv1 = LayerShapes.square(Hinv, columns, i1, i2);
                boolean[][] mask1 = new boolean[count][rows];
                if (pattern instanceof SparsityPattern.Unstructured u) {
                    maskBlock(W1, Hinv1, count, rows, u.sparsity(), mask1);
                }
                float[][] Err1 = new float[count][rows];
                RowParallel.forEachRowRange(rows, (from, to) -> pruneBlock(from, to, count, W1, Hinv1, mask1, Err1,
                        pattern));
                Wn.writeColumnsTransposed(i1, i2, W1);        // W[:, i1:i2] = Q1 (W1 now holds Q1)
                errorEnergy += ReconstructionError.energy(Err1);
                Wn.lazyBatchUpdate(Err1, i1, i2);            // W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]
            }
            pruned = Wn.toArray();
        }
        double error = ReconstructionError.relativeFromObsErrors(signal, errorEnergy, damped.lambda(),
                ReconstructionError.differenceEnergy(W, pruned));
        return PrunedLayer.checked(pruned, rows, columns, pattern, error);
    }

    /** Unstructured: {@code mask1 = tmp <= sort(tmp)[int(numel * sparsity)]}, tmp = W1^2 / diag(Hinv1)^2. */
    private static void maskBlock(float[][] W1, float[] Hinv1, int count, int rows, double sparsity,
            boolean[][] mask1) {
        float[] tmp = new float[count * rows];
        for (int i = 0; i < count; i++) {
            float d = Hinv1[i * count + i];
            float d2 = d * d;
            float[] w1 = W1[i];
            for (int r = 0; r < rows; r++) {
                tmp[i * rows + r] = w1[r] * w1[r] / d2;
            }
        }
        float thresh = Selection.kthSmallest(tmp, 0, tmp.length, (int) (tmp.length * sparsity), new float[tmp.length]);
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < rows; r++) {
                mask1[i][r] = tmp[i * rows + r] <= thresh;
            }
        }
    }

    /**
     * The column loop of one block for rows [from, to); on return W1 holds the pruned block (Q1). For N:M
     * the mask of each M-group is chosen when the loop reaches the group, from the updated weights, so the
     * fused updates of {@link BlockColumnLoop} must not cut through an M-group.
     */
    private static void pruneBlock(int from, int to, int count, float[][] W1, float[] Hinv1, boolean[][] mask1,
            float[][] Err1, SparsityPattern pattern) {
        SparsityPattern.NOfM nm = pattern instanceof SparsityPattern.NOfM p ? p : null;
        float[] tmp = nm == null ? null : new float[nm.m()];
        boolean[] pick = nm == null ? null : new boolean[nm.m()];
        int fused = nm == null || nm.m() % BlockColumnLoop.FUSED == 0 || BlockColumnLoop.FUSED % nm.m() == 0
                ? BlockColumnLoop.FUSED : 1;
        BlockColumnLoop.run(from, to, count, W1, Hinv1, Err1, fused, (i, rowFrom, rowTo) -> {
            if (nm != null && i % nm.m() == 0) {
                maskGroup(rowFrom, rowTo, count, i, nm, W1, Hinv1, mask1, tmp, pick);
            }
            float d = Hinv1[i * count + i];
            float[] w1 = W1[i];
            boolean[] m1 = mask1[i];
            float[] err1 = Err1[i];
            for (int r = rowFrom; r < rowTo; r++) {
                float w = w1[r];
                float q = m1[r] ? 0f : w;
                w1[r] = q;
                err1[r] = (w - q) / d;                           // err1 = (w - q) / d
            }
        });
    }

    /** N:M: per row, {@code topk(W1[:, i:i+m]^2 / diag(Hinv1)[i:i+m]^2, n, largest=False)} joins the mask. */
    private static void maskGroup(int from, int to, int count, int i, SparsityPattern.NOfM nm, float[][] W1,
            float[] Hinv1, boolean[][] mask1, float[] tmp, boolean[] pick) {
        for (int r = from; r < to; r++) {
            for (int j = 0; j < nm.m(); j++) {
                float d = Hinv1[(i + j) * count + i + j];
                float w = W1[i + j][r];
                tmp[j] = w * w / (d * d);
                pick[j] = false;
            }
            Selection.markSmallestInGroup(tmp, 0, nm.m(), nm.n(), pick);
            for (int j = 0; j < nm.m(); j++) {
                if (pick[j]) {
                    mask1[i + j][r] = true;
                }
            }
        }
    }

    @Override
    public void close() {
        hessian.close();
    }
}
