package dev.calibra.compression.method;

import dev.calibra.model.spqr.SpqrLinear;

/**
 * An SpQR-quantized weight (dequantized, original column order) with its compact form, and its postcondition:
 * the compact form dequantizes to exactly this weight (so the written SpQR file and the dense model agree bit
 * for bit), with every code inside 0..2^bits-1.
 *
 * @param compact       codes, two-level statistics, permutation and outliers ({@link SpqrLinear}); null once released
 * @param outliers      weights kept in full precision
 * @param averageBits   bits per weight as SpQR counts them, outliers included ({@link SpqrSettings#averageBits})
 */
public record SpqrLayer(float[] weight, int rows, int columns, SpqrLinear compact, int outliers, double averageBits,
        double relativeReconstructionError) implements CompressedLayer {

    @Override
    public SpqrLayer withoutWeight() {
        return new SpqrLayer(null, rows, columns, null, outliers, averageBits, relativeReconstructionError);
    }

    @Override
    public double outlierFraction() {
        return (double) outliers / ((long) rows * columns);
    }

    static SpqrLayer checked(float[] weight, int rows, int columns, SpqrSettings settings, int[] perm, byte[] codes,
            int[] scaleCodes, int[] zeroCodes, float[] scaleGroupScales, float[] scaleGroupZeros, float[] zeroGroupScales,
            float[] zeroGroupZeros, boolean[] outlier, float[] outlierValues, int outliers, double averageBits, double error) {
        int[] rowPointers = new int[rows + 1];
        int[] outlierColumns = new int[outliers];
        float[] values = new float[outliers];
        int[] sorted = new int[columns];                       // original column c was quantized as column sorted[c]
        for (int k = 0; k < columns; k++) {
            sorted[perm[k]] = k;
        }
        for (int r = 0, n = 0; r < rows; r++) {
            rowPointers[r] = n;
            for (int c = 0; c < columns; c++) {
                int k = sorted[c];
                if (outlier[r * columns + k]) {
                    outlierColumns[n] = c;
                    values[n] = outlierValues[r * columns + k];
                    n++;
                }
            }
            rowPointers[r + 1] = n;
        }
        SpqrLinear compact = new SpqrLinear(rows, columns, settings.bits(), settings.groupSize(), settings.qqGroupSize(), perm,
                codes, bytes(scaleCodes), bytes(zeroCodes), interleave(scaleGroupScales, scaleGroupZeros),
                interleave(zeroGroupScales, zeroGroupZeros), rowPointers, outlierColumns, values);
        float[] readBack = compact.dequantize();
        for (int i = 0; i < weight.length; i++) {
            if (Float.floatToIntBits(readBack[i]) != Float.floatToIntBits(weight[i])) {
                throw new IllegalStateException("postcondition: SpQR's compact form gives " + readBack[i] + " at ["
                        + i / columns + ", " + i % columns + "] where the pass produced " + weight[i]);
            }
        }
        return new SpqrLayer(weight, rows, columns, compact, outliers, averageBits, error);
    }

    private static byte[] bytes(int[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** (scale, zero) pairs: {@code [n, 2]}. */
    private static float[] interleave(float[] scales, float[] zeros) {
        float[] out = new float[scales.length * 2];
        for (int i = 0; i < scales.length; i++) {
            out[2 * i] = scales[i];
            out[2 * i + 1] = zeros[i];
        }
        return out;
    }
}
