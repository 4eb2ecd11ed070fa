package dev.calibra.compression.method;

/**
 * SpQR's quantizer (Vahe1994/SpQR quant_groups.py), float32 like the reference. Unlike GPTQ's it does not
 * stretch the range through 0 and keeps the zero point fractional ({@code round_zero=False}):
 * {@code scale = (max - min) / maxq}, {@code zero = -min / scale}, a constant row gets [-1, 1];
 * {@code q = clamp(round(x / max(scale, 1e-9) + zero), 0, maxq)}, {@code x' = scale * (q - zero)}.
 */
final class SpqrGrid {

    private static final float EPS = 1e-9f;

    private SpqrGrid() {}

    /** {@code quantize}: the integer level of x. */
    static float level(float x, float scale, float zero, int maxq) {
        float q = (float) Math.rint(x / Math.max(scale, EPS) + zero);
        return Math.min(Math.max(q, 0f), maxq);
    }

    /** {@code dequantize(quantize(x))}. */
    static float quantizeDequantize(float x, float scale, float zero, int maxq) {
        return scale * (level(x, scale, zero, maxq) - zero);
    }

    /** {@code find_params} of one row: {@code out[0] = scale, out[1] = zero} from the values' min and max. */
    static void fit(float min, float max, int maxq, float[] out) {
        if (min == max) {
            min = -1f;
            max = 1f;
        }
        float scale = (max - min) / maxq;
        out[0] = scale;
        out[1] = -min / scale;
    }

    /**
     * Second-level quantization of per-row statistics (a group's scales, or its zeros) in groups of
     * {@code groupSize} consecutive rows: each row group gets its own min/max grid of {@code bits}, and the values
     * become {@code dequantize(quantize(v))}. Writes the codes, each row group's (scale, zero), and replaces the
     * values in place. The last row group may be shorter (rows not a multiple of groupSize; the reference
     * requires a multiple and refuses otherwise).
     */
    static void secondLevel(float[] values, int bits, int groupSize, int[] codes, float[] groupScales, float[] groupZeros) {
        int maxq = (1 << bits) - 1;
        float[] grid = new float[2];
        for (int g = 0, start = 0; start < values.length; g++, start += groupSize) {
            int end = Math.min(values.length, start + groupSize);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int r = start; r < end; r++) {
                min = Math.min(min, values[r]);
                max = Math.max(max, values[r]);
            }
            fit(min, max, maxq, grid);
            groupScales[g] = grid[0];
            groupZeros[g] = grid[1];
            for (int r = start; r < end; r++) {
                float code = level(values[r], grid[0], grid[1], maxq);
                codes[r] = (int) code;
                values[r] = grid[0] * (code - grid[1]);
            }
        }
    }

    static int rowGroups(int rows, int groupSize) {
        return (rows + groupSize - 1) / groupSize;
    }
}
