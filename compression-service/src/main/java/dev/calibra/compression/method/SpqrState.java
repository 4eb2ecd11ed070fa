package dev.calibra.compression.method;

/**
 * What an SpQR pass records while it runs, in the permuted column order: each group's per-row grid after
 * second-level quantization, the codes of the scales and zeros and their row-group statistics, every weight's
 * code, and the outliers.
 */
final class SpqrState {

    private final SpqrSettings settings;
    private final int rows;
    private final int columns;
    private final int[] perm;
    private final int groups;
    private final int rowGroups;
    private final float[] scale;          // current group's dequantized per-row scale
    private final float[] zero;
    final float[] scales;                 // [groups, rows]
    final float[] zeros;
    final int[] scaleCodes;               // [groups, rows]
    final int[] zeroCodes;
    final float[] scaleGroupScales;       // [groups, rowGroups]: second-level grid of the scales
    final float[] scaleGroupZeros;
    final float[] zeroGroupScales;        // [groups, rowGroups]: second-level grid of the zeros
    final float[] zeroGroupZeros;
    final byte[] codes;                   // [rows, columns], permuted order
    final boolean[] outlier;              // [rows, columns], permuted order
    final float[] outlierValues;          // [rows, columns], permuted order
    private int group = -1;

    SpqrState(SpqrSettings settings, int rows, int columns, int[] perm) {
        this.settings = settings;
        this.rows = rows;
        this.columns = columns;
        this.perm = perm;
        this.groups = (columns + settings.groupSize() - 1) / settings.groupSize();
        this.rowGroups = SpqrGrid.rowGroups(rows, settings.qqGroupSize());
        this.scale = new float[rows];
        this.zero = new float[rows];
        this.scales = new float[groups * rows];
        this.zeros = new float[groups * rows];
        this.scaleCodes = new int[groups * rows];
        this.zeroCodes = new int[groups * rows];
        this.scaleGroupScales = new float[groups * rowGroups];
        this.scaleGroupZeros = new float[groups * rowGroups];
        this.zeroGroupScales = new float[groups * rowGroups];
        this.zeroGroupZeros = new float[groups * rowGroups];
        this.codes = new byte[rows * columns];
        this.outlier = new boolean[rows * columns];
        this.outlierValues = new float[rows * columns];
    }

    float scale(int row) {
        return scale[row];
    }

    float zero(int row) {
        return zero[row];
    }

    void setCode(int row, int column, int level) {
        codes[row * columns + column] = (byte) level;
    }

    void setOutlier(int row, int column, float value) {
        outlier[row * columns + column] = true;
        outlierValues[row * columns + column] = value;
    }

    /**
     * Fits the grid of the group starting at {@code column} on {@code group} ({@code [rows, width]} row-major): with
     * outliers, weights whose leave-one-out error reduction exceeds tau are first replaced by their row's mean of
     * the others ({@code SPQRUtil.quantize}); then the per-row min/max grid, then the second level.
     */
    void fitGroup(int column, float[] group, float[] Hinv, float threshold) {
        this.group++;
        int width = group.length / rows;
        int maxq = (1 << settings.bits()) - 1;
        float[] fitted = group;
        if (threshold != Float.POSITIVE_INFINITY && width > 1) {
            float[] d = new float[width];
            for (int j = 0; j < width; j++) {
                d[j] = Hinv[(column + j) * columns + column + j];
            }
            fitted = withoutLikelyOutliers(group, width, d, maxq, threshold);
        }
        float[] grid = new float[2];
        for (int r = 0; r < rows; r++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                min = Math.min(min, fitted[r * width + j]);
                max = Math.max(max, fitted[r * width + j]);
            }
            SpqrGrid.fit(min, max, maxq, grid);
            scale[r] = grid[0];
            zero[r] = grid[1];
        }
        int g = this.group;
        int[] codesOfScales = new int[rows];
        int[] codesOfZeros = new int[rows];
        float[] gs = new float[rowGroups];
        float[] gz = new float[rowGroups];
        SpqrGrid.secondLevel(scale, settings.qqScaleBits(), settings.qqGroupSize(), codesOfScales, gs, gz);
        System.arraycopy(gs, 0, scaleGroupScales, g * rowGroups, rowGroups);
        System.arraycopy(gz, 0, scaleGroupZeros, g * rowGroups, rowGroups);
        SpqrGrid.secondLevel(zero, settings.qqZeroBits(), settings.qqGroupSize(), codesOfZeros, gs, gz);
        System.arraycopy(gs, 0, zeroGroupScales, g * rowGroups, rowGroups);
        System.arraycopy(gz, 0, zeroGroupZeros, g * rowGroups, rowGroups);
        System.arraycopy(scale, 0, scales, g * rows, rows);
        System.arraycopy(zero, 0, zeros, g * rows, rows);
        System.arraycopy(codesOfScales, 0, scaleCodes, g * rows, rows);
        System.arraycopy(codesOfZeros, 0, zeroCodes, g * rows, rows);
    }

    /**
     * {@code get_leave_one_out_error}: per row, the Hessian-weighted squared error of the group on a grid fitted
     * without weight k (k itself left unquantized), against the error with every weight; where dropping k reduces
     * the error by more than tau, k is a likely outlier and is replaced by the mean of the row's other weights.
     */
    private float[] withoutLikelyOutliers(float[] group, int width, float[] d, int maxq, float threshold) {
        float[] out = group.clone();
        float[] grid = new float[2];
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            float baseline = weightedError(group, base, width, -1, d, maxq, grid);
            boolean[] likely = new boolean[width];
            int kept = 0;
            float keptSum = 0f;
            for (int k = 0; k < width; k++) {
                float reduction = baseline - weightedError(group, base, width, k, d, maxq, grid);
                likely[k] = reduction > threshold;
                if (!likely[k]) {
                    kept++;
                    keptSum += group[base + k];
                }
            }
            float mean = keptSum / Math.max(kept, 1);
            for (int k = 0; k < width; k++) {
                if (likely[k]) {
                    out[base + k] = mean;
                }
            }
        }
        return out;
    }

    /** sum over j != skip of ((qd(w_j) - w_j) / d_j)^2 on a grid fitted to the row without {@code skip} (-1: none). */
    private static float weightedError(float[] group, int base, int width, int skip, float[] d, int maxq, float[] grid) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            if (j != skip) {
                min = Math.min(min, group[base + j]);
                max = Math.max(max, group[base + j]);
            }
        }
        SpqrGrid.fit(min, max, maxq, grid);
        float error = 0f;
        for (int j = 0; j < width; j++) {
            if (j != skip) {
                float e = (SpqrGrid.quantizeDequantize(group[base + j], grid[0], grid[1], maxq) - group[base + j]) / d[j];
                error += e * e;
            }
        }
        return error;
    }

    /** The layer's result once every column is quantized; {@code weight} in the original column order. */
    SpqrLayer result(float[] weight, double error) {
        int count = 0;
        for (boolean o : outlier) {
            count += o ? 1 : 0;
        }
        double fraction = (double) count / ((long) rows * columns);
        return SpqrLayer.checked(weight, rows, columns, settings, perm.clone(), codes, scaleCodes, zeroCodes, scaleGroupScales,
                scaleGroupZeros, zeroGroupScales, zeroGroupZeros, outlier, outlierValues, count, settings.averageBits(fraction),
                error);
    }

}
