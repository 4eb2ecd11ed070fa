package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * GPTQ (Frantar, Ashkboos, Hoefler, Alistarh 2022, "GPTQ: Accurate Post-Training Quantization for
 * Generative Pre-trained Transformers"), ported from IST-DASLab/gptq {@code GPTQ.fasterquant}.
 *
 * <p>Symbols as in the paper and the reference: {@code H = 2 X X^T} the layer Hessian (eq. 1, built by
 * {@link HessianAccumulator}); {@code Hinv} the upper Cholesky factor of {@code (H + lambda I)^-1} (Sec. 3
 * "Step 3: Cholesky Reformulation"), whose row q gives the OBQ update of the not-yet-quantized weights;
 * {@code i1, i2} the bounds of a block of B = blockSize columns ("Step 2: Lazy Batch-Updates");
 * {@code W1, Q1, Err1} the block's weights, quantized weights and scaled errors
 * {@code (w_q - quant(w_q)) / [Hinv]_qq}; inside a block the OBQ update (eq. 2) runs column by column
 * (the block is held transposed so the inner loops run over rows), and the columns after the block get
 * {@code W[:, i2:] -= Err1 Hinv[i1:i2, i2:]} (eq. 4) as one in-place sgemm.
 *
 * <p>Groups ({@code groupSize > 0}) take their grid when the loop reaches their first column, from W as
 * it is at the start of the current block (the reference reads {@code W}, not {@code W1}); with act-order
 * columns are visited by decreasing {@code diag(H)} and groups are formed in that order
 * ({@code static_groups=False}); {@link QuantizedLayer#groupIndex()} maps columns back to groups.
 */
public final class GptqCompressor implements LayerCompressor {

    private final GptqSettings settings;
    private final Linalg linalg;
    private final HessianAccumulator hessian;
    private final OutputEnergy outputs = new OutputEnergy();

    public GptqCompressor(GptqSettings settings) {
        this(settings, Linalgs.best());
    }

    public GptqCompressor(GptqSettings settings, Linalg linalg) {
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
    public QuantizedLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.require(weight, rows, columns, hessian);
        int maxq = Quantizer.maxLevel(settings.bits());
        boolean sym = settings.symmetric();
        int groupSize = settings.groupSize();
        int groups = groupSize == -1 ? 1 : (columns + groupSize - 1) / groupSize;
        float[] scales = new float[groups * rows];
        float[] zeros = new float[groups * rows];
        float[] H = hessian.takeHessian();
        float[] W = weight.clone();

        // per-row grid over all columns, before dead columns are zeroed (fasterquant's first find_params)
        Quantizer.findParams(W, rows, columns, 0, columns, maxq, sym, scales, zeros);

        // dead inputs: H[dead, dead] = 1, W[:, dead] = 0
        boolean[] dead = InverseHessian.markDeadColumns(H, columns);
        LayerShapes.zeroColumns(W, rows, columns, dead);

        // act-order: visit columns by decreasing diag(H)
        int[] perm = settings.actOrder() ? descendingDiagonalOrder(H, columns) : IntStream.range(0, columns).toArray();
        if (settings.actOrder()) {
            W = LayerShapes.permuteColumns(W, rows, columns, perm);
            H = LayerShapes.permuteSymmetric(H, columns, perm);
        }

        double signal = ReconstructionError.signal(outputs, hessian, W, rows, columns, H, linalg);   // tr(W H W^T)
        // H becomes its inverse's factor in place: one n x n heap array, not two (485 MB at 11008 columns)
        InverseHessian.Damped damped = InverseHessian.upperCholeskyOfDampedInverse(H, columns, settings.dampening(),
                linalg);
        float[] Hinv = damped.Hinv();
        float[] Q = new float[rows * columns];
        double errorEnergy = 0;                                // ||Err||^2, see ReconstructionError
        try (NativeWeight Wn = new NativeWeight(W, rows, columns, Hinv, settings.blockSize(), linalg)) {
            for (int i1 = 0; i1 < columns; i1 += settings.blockSize()) {
                int i2 = Math.min(i1 + settings.blockSize(), columns);
                int count = i2 - i1;
                float[][] W1 = new float[count][rows];         // W1[i] is column i of the block
                Wn.readColumnsTransposed(i1, i2, W1);
                float[] Hinv1 = LayerShapes.square(Hinv, columns, i1, i2);
                if (groupSize != -1) {
                    findGroupGrids(Wn, rows, columns, i1, i2, groupSize, maxq, sym, scales, zeros);
                }
                float[][] Q1 = new float[count][rows];
                float[][] Err1 = new float[count][rows];
                final int blockStart = i1;
                RowParallel.forEachRowRange(rows, (from, to) -> quantizeBlock(from, to, rows, blockStart, count,
                        W1, Hinv1, Q1, Err1, scales, zeros, groupSize, maxq));
                LayerShapes.writeColumns(Q, rows, columns, i1, i2, Q1);
                errorEnergy += ReconstructionError.energy(Err1);
                Wn.lazyBatchUpdate(Err1, i1, i2);             // W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]
            }
        }

        int[] groupIndex = new int[columns];
        for (int k = 0; k < columns; k++) {
            groupIndex[perm[k]] = groupSize == -1 ? 0 : k / groupSize;
        }
        double differenceEnergy = ReconstructionError.differenceEnergy(W, Q);   // both in visiting order
        if (settings.actOrder()) {
            Q = LayerShapes.permuteColumns(Q, rows, columns, LayerShapes.inverse(perm));
        }
        double error = ReconstructionError.relativeFromObsErrors(signal, errorEnergy, damped.lambda(),
                differenceEnergy);
        return QuantizedLayer.checked(Q, rows, columns, settings.bits(), groupSize, scales, zeros, groupIndex, error);
    }

    /** Grids of the groups whose first column lies in [i1, i2), from the columns' current values in W. */
    private static void findGroupGrids(NativeWeight Wn, int rows, int columns, int i1, int i2, int groupSize,
            int maxq, boolean sym, float[] scales, float[] zeros) {
        float[] scale = new float[rows];
        float[] zero = new float[rows];
        for (int first = ((i1 + groupSize - 1) / groupSize) * groupSize; first < i2; first += groupSize) {
            int last = Math.min(columns, first + groupSize);
            float[] columnsOfGroup = new float[rows * (last - first)];
            Wn.readColumns(first, last, columnsOfGroup);
            Quantizer.findParams(columnsOfGroup, rows, last - first, 0, last - first, maxq, sym, scale, zero);
            System.arraycopy(scale, 0, scales, (first / groupSize) * rows, rows);
            System.arraycopy(zero, 0, zeros, (first / groupSize) * rows, rows);
        }
    }

    /**
     * The column loop of one block for rows [from, to): quantize column i ({@code Q1[:, i]}, {@code Err1[:, i] =
     * (w - q) / d}); {@link BlockColumnLoop} spreads the error over the block's later columns (eq. 2).
     */
    private static void quantizeBlock(int from, int to, int rows, int i1, int count, float[][] W1, float[] Hinv1,
            float[][] Q1, float[][] Err1, float[] scales, float[] zeros, int groupSize, int maxq) {
        BlockColumnLoop.run(from, to, count, W1, Hinv1, Err1, BlockColumnLoop.FUSED, (i, rowFrom, rowTo) -> {
            int p = (groupSize == -1 ? 0 : (i1 + i) / groupSize) * rows;
            float d = Hinv1[i * count + i];
            float[] w1 = W1[i];
            float[] q1 = Q1[i];
            float[] err1 = Err1[i];
            for (int r = rowFrom; r < rowTo; r++) {
                float w = w1[r];
                float q = Quantizer.quantize(w, scales[p + r], zeros[p + r], maxq);
                q1[r] = q;
                err1[r] = (w - q) / d;                           // err1 = (w - q) / d
            }
        });
    }

    /** {@code argsort(diag(H), descending=True)}, ties kept in column order. */
    static int[] descendingDiagonalOrder(float[] H, int columns) {
        Integer[] order = new Integer[columns];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -H[i * columns + i]));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        hessian.close();
    }
}
