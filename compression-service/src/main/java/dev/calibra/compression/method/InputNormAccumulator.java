package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Wanda's per-input-feature statistic {@code scaler_row[j] = sum over tokens of x_j^2 / n}, n the number
 * of sequences (locuslab/wanda lib/layerwrapper.py {@code WrappedGPT.add_batch}, same running average in
 * float32: {@code s *= n/(n+b); n += b; s += ||x_j||^2 / n}, the norm squared after rounding to float).
 */
final class InputNormAccumulator {

    private float[] scalerRow;
    private long sequences;

    void add(NDArray inputs) {
        Shape shape = inputs.getShape();
        long batchSequences = HessianAccumulator.batchSequences(shape);
        int columns = (int) shape.get(shape.dimension() - 1);
        if (scalerRow != null && scalerRow.length != columns) {
            throw new IllegalArgumentException("inputs: last dimension " + columns + " differs from earlier batches ("
                    + scalerRow.length + ")");
        }
        float[] squaredNorms;
        try (NDManager scope = inputs.getManager().newSubManager()) {
            NDArray x = inputs.reshape(-1, columns);
            x.attach(scope);                                   // temporaries below live in scope
            x = x.toType(DataType.FLOAT32, false);
            squaredNorms = x.square().sum(new int[] {0}).toFloatArray();   // cascade-summed in float32
        }
        if (scalerRow == null) {
            scalerRow = new float[columns];
        }
        // s *= n / (n + b); n += b; s += ||x_j||^2 / n
        double keep = (double) sequences / (sequences + batchSequences);
        sequences += batchSequences;
        for (int j = 0; j < columns; j++) {
            float norm = (float) Math.sqrt(squaredNorms[j]);
            scalerRow[j] = (float) (scalerRow[j] * keep) + norm * norm / (float) sequences;
        }
    }

    /** The statistic as float32, one value per input column. */
    float[] scalerRow() {
        if (scalerRow == null) {
            throw new IllegalStateException("no calibration batches were added");
        }
        return scalerRow.clone();
    }
}
