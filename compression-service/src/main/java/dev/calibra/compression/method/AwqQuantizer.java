package dev.calibra.compression.method;

/**
 * llm-awq's {@code pseudo_quantize_tensor} with {@code zero_point=True} (quantizer.py), float32 like the reference
 * so that rounding decisions match: on each row's group of columns, {@code scale = max(hi - lo, 1e-5) / (2^bits - 1)}
 * with hi, lo the group's maximum and minimum (not widened to contain 0, unlike GPTQ's grid),
 * {@code zero = clamp(-round(lo / scale), 0, 2^bits - 1)}, {@code code = clamp(round(w / scale) + zero, 0, 2^bits - 1)},
 * value {@code (code - zero) * scale}; round is half to even, as torch's. Groups run along a row; upstream asserts
 * that the group size divides the width, Calibra lets the last group be shorter (it is a group like the others,
 * over fewer columns) and the writer refuses to pack such a layer.
 */
public final class AwqQuantizer {

    private AwqQuantizer() {}

    /**
     * One quantization.
     *
     * @param codes  {@code [rows, columns]} levels
     * @param scales {@code [rows, groups]} row-major
     * @param zeros  {@code [rows, groups]} integer zero points stored as float (as upstream keeps them)
     * @param values {@code [rows, columns]} {@code (code - zero) * scale}
     */
    public record Grid(byte[] codes, float[] scales, float[] zeros, float[] values, int groups) {}

    /** Groups per row: one when {@code groupSize} is -1, else the columns over groupSize, rounded up. */
    public static int groups(int columns, int groupSize) {
        return groupSize <= 0 ? 1 : (columns + groupSize - 1) / groupSize;
    }

    /** Columns of one group (the whole row when {@code groupSize} is -1). */
    static int width(int columns, int groupSize) {
        return groupSize <= 0 ? columns : groupSize;
    }

    public static Grid quantize(float[] w, int rows, int columns, int bits, int groupSize) {
        int groups = groups(columns, groupSize);
        byte[] codes = new byte[rows * columns];
        float[] scales = new float[rows * groups];
        float[] zeros = new float[rows * groups];
        float[] values = new float[rows * columns];
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                quantizeRow(w, r * columns, columns, bits, groupSize, codes, values, scales, zeros, r * groups);
            }
        });
        return new Grid(codes, scales, zeros, values, groups);
    }

    /** Only the values: {@code Q(w)}, what the scale search tries. */
    public static float[] values(float[] w, int rows, int columns, int bits, int groupSize) {
        float[] values = new float[rows * columns];
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                quantizeRow(w, r * columns, columns, bits, groupSize, null, values, null, null, 0);
            }
        });
        return values;
    }

    /** Quantizes the {@code length} values of one row from {@code offset}, in groups; codes and grid may be null. */
    static void quantizeRow(float[] w, int offset, int length, int bits, int groupSize, byte[] codes, float[] values,
            float[] scales, float[] zeros, int gridOffset) {
        int maxq = Quantizer.maxLevel(bits);
        int width = width(length, groupSize);
        for (int g = 0, from = 0; from < length; g++, from += width) {
            int to = Math.min(length, from + width);
            float hi = Float.NEGATIVE_INFINITY;
            float lo = Float.POSITIVE_INFINITY;
            for (int k = offset + from; k < offset + to; k++) {
                hi = Math.max(hi, w[k]);
                lo = Math.min(lo, w[k]);
            }
            float scale = Math.max(hi - lo, 1e-5f) / maxq;
            float zero = Math.min(Math.max(-(float) Math.rint(lo / scale), 0f), maxq);
            for (int k = offset + from; k < offset + to; k++) {
                float code = Math.min(Math.max((float) Math.rint(w[k] / scale) + zero, 0f), maxq);
                values[k] = (code - zero) * scale;
                if (codes != null) {
                    codes[k] = (byte) code;
                }
            }
            if (scales != null) {
                scales[gridOffset + g] = scale;
                zeros[gridOffset + g] = zero;
            }
        }
    }
}
