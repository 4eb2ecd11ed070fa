package dev.calibra.compression.method;

/**
 * A quantized (dequantized to float32) weight with everything a GPTQ packer needs, and its postcondition:
 * every weight is {@code scale * (q - zero)} for an integer {@code q in [0, 2^bits - 1]} with the scale
 * and zero of its row and group, so no row-group holds more than {@code 2^bits} distinct values.
 *
 * @param groupSize         columns per group, -1 for one group per row
 * @param scales            {@code [groups, rows]} row-major (the GPTQ checkpoint layout of {@code scales})
 * @param zeros             {@code [groups, rows]} zero points (integers stored as float)
 * @param groupIndex        group of each input column ({@code g_idx}); with act-order not monotonic
 * @param maxLevelsPerGroup the largest number of distinct levels found in one row of one group
 */
public record QuantizedLayer(float[] weight, int rows, int columns, int bits, int groupSize, float[] scales,
        float[] zeros, int[] groupIndex, int maxLevelsPerGroup, double relativeReconstructionError)
        implements CompressedLayer {

    @Override
    public QuantizedLayer withoutWeight() {
        return new QuantizedLayer(null, rows, columns, bits, groupSize, scales, zeros, groupIndex, maxLevelsPerGroup,
                relativeReconstructionError);
    }

    @Override
    public double averageBits() {
        return CompressedLayer.gridBits(bits, groupSize, columns);
    }

    /** Number of groups per row. */
    public int groups() {
        return scales.length / rows;
    }

    /** Each weight's integer level on its grid, {@code round(w / scale) + zero} in 0..2^bits-1, {@code [rows, columns]}. */
    public int[] levels() {
        int[] levels = new int[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < columns; j++) {
                int p = groupIndex[j] * rows + r;
                levels[r * columns + j] = (int) ((float) Math.rint(weight[r * columns + j] / scales[p]) + zeros[p]);
            }
        }
        return levels;
    }

    /** Verifies every weight lies on its grid, counts levels, throws {@link IllegalStateException} otherwise. */
    static QuantizedLayer checked(float[] weight, int rows, int columns, int bits, int groupSize, float[] scales,
            float[] zeros, int[] groupIndex, double relativeReconstructionError) {
        int maxq = Quantizer.maxLevel(bits);
        int groups = scales.length / rows;
        long[] seen = new long[groups * rows * 4];                 // 256-bit level set per (group, row)
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int j = 0; j < columns; j++) {
                    int p = groupIndex[j] * rows + r;
                    float w = weight[r * columns + j];
                    int level = Quantizer.level(w, scales[p], zeros[p]);
                    if (level < 0 || level > maxq || scales[p] * (level - zeros[p]) != w) {
                        throw new IllegalStateException("postcondition: weight [" + r + ", " + j + "] = " + w
                                + " is not on the " + bits + "-bit grid of group " + groupIndex[j]);
                    }
                    seen[p * 4 + (level >>> 6)] |= 1L << (level & 63);
                }
            }
        });
        int maxLevels = 0;
        for (int p = 0; p < groups * rows; p++) {
            int levels = 0;
            for (int k = 0; k < 4; k++) {
                levels += Long.bitCount(seen[p * 4 + k]);
            }
            maxLevels = Math.max(maxLevels, levels);
        }
        if (maxLevels > maxq + 1) {
            throw new IllegalStateException("postcondition: " + maxLevels + " levels in one group exceed 2^" + bits);
        }
        return new QuantizedLayer(weight, rows, columns, bits, groupSize, scales, zeros, groupIndex, maxLevels,
                relativeReconstructionError);
    }
}
