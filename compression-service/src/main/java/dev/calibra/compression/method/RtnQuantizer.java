package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.Linalgs;

/**
 * Round-to-nearest: the {@link Quantizer} grid of each row (or of each group of columns per row) applied
 * without error compensation, the baseline of the GPTQ paper (IST-DASLab/gptq, {@code --nearest}). Needs
 * no inputs; batches, if given, only serve to report the reconstruction error.
 */
public final class RtnQuantizer implements LayerCompressor {

    private final RtnSettings settings;
    private final Linalg linalg;
    private final HessianAccumulator hessian;

    public RtnQuantizer(RtnSettings settings) {
        this(settings, Linalgs.best());
    }

    public RtnQuantizer(RtnSettings settings, Linalg linalg) {
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
    public QuantizedLayer compress(float[] weight, int rows, int columns) {
        LayerShapes.requireWeight(weight, rows, columns);
        int maxq = Quantizer.maxLevel(settings.bits());
        int groupSize = settings.groupSize() == -1 ? columns : settings.groupSize();
        int groups = (columns + groupSize - 1) / groupSize;
        float[] scales = new float[groups * rows];
        float[] zeros = new float[groups * rows];
        float[] scale = new float[rows];
        float[] zero = new float[rows];
        float[] quantized = new float[weight.length];
        int[] groupIndex = new int[columns];
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            int to = Math.min(columns, from + groupSize);
            Quantizer.findParams(weight, rows, columns, from, to, maxq, settings.symmetric(), scale, zero);
            System.arraycopy(scale, 0, scales, g * rows, rows);
            System.arraycopy(zero, 0, zeros, g * rows, rows);
            for (int r = 0; r < rows; r++) {
                for (int j = from; j < to; j++) {
                    quantized[r * columns + j] = Quantizer.quantize(weight[r * columns + j], scale[r], zero[r], maxq);
                }
            }
            java.util.Arrays.fill(groupIndex, from, to, g);
        }
        double error = Double.NaN;
        if (hessian != null) {
            LayerShapes.require(weight, rows, columns, hessian);
            error = ReconstructionError.relative(weight, quantized, rows, columns, hessian.takeHessian(), linalg);
        }
        return QuantizedLayer.checked(quantized, rows, columns, settings.bits(), settings.groupSize(), scales, zeros,
                groupIndex, error);
    }

    @Override
    public void close() {
        if (hessian != null) {
            hessian.close();
        }
    }
}
