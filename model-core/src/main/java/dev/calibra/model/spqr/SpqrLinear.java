package dev.calibra.model.spqr;

/**
 * One linear in SpQR's compact form, and how it becomes weights again (Vahe1994/SpQR quant_groups.py
 * {@code dequantize}, float32). The layout Calibra writes (see {@link SpqrFile}), for a weight
 * {@code [rows, columns]} quantized in column order {@code perm}:
 * <ul>
 *   <li>{@code codes} {@code [rows, columns]} levels in 0..2^bits-1, in the permuted column order;</li>
 *   <li>first-level groups of {@code groupSize} permuted columns; for group g and row r the scale is
 *       {@code qq_scale(g, r / qqGroupSize) * (scaleCodes[g][r] - qq_scale_zero(g, r / qqGroupSize))}, the zero
 *       likewise from {@code zeroCodes}, and the weight {@code scale * (code - zero)};</li>
 *   <li>{@code scaleQq}, {@code zeroQq} {@code [groups, rowGroups, 2]}: each row group's second-level (scale, zero);</li>
 *   <li>outliers in CSR over rows, columns in the original order: {@code rowPointers [rows + 1]},
 *       {@code outlierColumns [nnz]}, {@code outlierValues [nnz]}; an outlier replaces its dequantized value.</li>
 * </ul>
 * The last column group and the last row group may be shorter than their size.
 */
public record SpqrLinear(int rows, int columns, int bits, int groupSize, int qqGroupSize, int[] perm, byte[] codes,
        byte[] scaleCodes, byte[] zeroCodes, float[] scaleQq, float[] zeroQq, int[] rowPointers, int[] outlierColumns,
        float[] outlierValues) {

    public int groups() {
        return (columns + groupSize - 1) / groupSize;
    }

    public int rowGroups() {
        return (rows + qqGroupSize - 1) / qqGroupSize;
    }

    /** The weight {@code [rows, columns]} row-major in the original column order, bit for bit as quantized. */
    public float[] dequantize() {
        int groups = groups();
        int rowGroups = rowGroups();
        float[] weight = new float[rows * columns];
        for (int g = 0; g < groups; g++) {
            for (int r = 0; r < rows; r++) {
                int q = (g * rowGroups + r / qqGroupSize) * 2;
                float scale = scaleQq[q] * ((scaleCodes[g * rows + r] & 0xff) - scaleQq[q + 1]);
                float zero = zeroQq[q] * ((zeroCodes[g * rows + r] & 0xff) - zeroQq[q + 1]);
                for (int k = g * groupSize, end = Math.min(columns, k + groupSize); k < end; k++) {
                    weight[r * columns + perm[k]] = scale * ((codes[r * columns + k] & 0xff) - zero);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int p = rowPointers[r]; p < rowPointers[r + 1]; p++) {
                weight[r * columns + outlierColumns[p]] = outlierValues[p];
            }
        }
        return weight;
    }

    /** Number of outliers. */
    public int outliers() {
        return rowPointers[rows];
    }
}
