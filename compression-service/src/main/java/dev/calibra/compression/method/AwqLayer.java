package dev.calibra.compression.method;

/**
 * An AWQ-quantized weight, its grid and its scales, and its postcondition: the weight is, bit for bit,
 * {@code (code - zero) * scale / inputScale[c] * outputScale[r]} with every code in 0..2^bits-1 and integer zeros.
 * The codes, scales and zeros quantize the weight as AWQ stores it, {@code W * inputScale[c] / outputScale[r]}
 * (clipped); the weight itself is what that computes on the model's unscaled inputs, so a folder that keeps the
 * norms as they were stores it (dense), and a packed folder stores the codes with the scales folded into what
 * precedes each linear (the norm, or the previous linear's rows).
 *
 * @param weight        the effective weight {@code [rows, columns]}; null once released
 * @param codes         {@code [rows, columns]} levels; null once released
 * @param scales        {@code [rows, groups]}
 * @param zeros         {@code [rows, groups]} integer zero points stored as float
 * @param inputScales   the scaling group's s, per input column (all 1 when the group was not scaled)
 * @param outputScales  per row, the s of the group this linear feeds when folded into its rows (v_proj before o_proj,
 *                      up_proj before down_proj), else 1
 * @param alpha         the exponent the scale search chose for this linear's group; NaN when the group was not scaled
 * @param clippedGroups (row, group) pairs whose range the clip search shrank; -1 when it did not run
 */
public record AwqLayer(float[] weight, int rows, int columns, int bits, int groupSize, byte[] codes, float[] scales,
        float[] zeros, float[] inputScales, float[] outputScales, double alpha, int clippedGroups,
        double relativeReconstructionError) implements CompressedLayer {

    @Override
    public AwqLayer withoutWeight() {
        return new AwqLayer(null, rows, columns, bits, groupSize, null, scales, zeros, inputScales, outputScales, alpha,
                clippedGroups, relativeReconstructionError);
    }

    public AwqLayer withError(double error) {
        return new AwqLayer(weight, rows, columns, bits, groupSize, codes, scales, zeros, inputScales, outputScales, alpha,
                clippedGroups, error);
    }

    @Override
    public double averageBits() {
        return CompressedLayer.gridBits(bits, groupSize, columns);
    }

    public int groups() {
        return AwqQuantizer.groups(columns, groupSize);
    }

    public boolean scaled() {
        return !Double.isNaN(alpha);
    }

    /** {@code (code - zero) * scale}: the weight in AWQ's scaled coordinates, as a packed folder's readers compute it. */
    public float[] scaledWeight() {
        float[] out = new float[rows * columns];
        int groups = groups();
        int width = AwqQuantizer.width(columns, groupSize);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int p = r * groups + c / width;
                out[r * columns + c] = ((codes[r * columns + c] & 0xff) - zeros[p]) * scales[p];
            }
        }
        return out;
    }

    /**
     * The layer from a quantization of the scaled weight, checked: codes in range, integer zeros, and the grid's
     * values reproduced by {@code (code - zero) * scale} bit for bit.
     */
    public static AwqLayer checked(AwqQuantizer.Grid grid, int rows, int columns, int bits, int groupSize, float[] inputScales,
            float[] outputScales, double alpha, int clippedGroups) {
        int maxq = Quantizer.maxLevel(bits);
        int groups = grid.groups();
        int width = AwqQuantizer.width(columns, groupSize);
        float[] weight = new float[rows * columns];
        for (int p = 0; p < grid.zeros().length; p++) {
            float zero = grid.zeros()[p];
            if (zero != Math.rint(zero) || zero < 0 || zero > maxq) {
                throw new IllegalStateException("postcondition: zero point " + zero + " of row " + p / groups + " group "
                        + p % groups + " is not an integer in 0.." + maxq);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int k = r * columns + c;
                int code = grid.codes()[k] & 0xff;
                int p = r * groups + c / width;
                float value = (code - grid.zeros()[p]) * grid.scales()[p];
                if (code > maxq || Float.floatToIntBits(value) != Float.floatToIntBits(grid.values()[k])) {
                    throw new IllegalStateException("postcondition: weight [" + r + ", " + c + "] = " + grid.values()[k]
                            + " is not code " + code + " of the " + bits + "-bit grid of its group");
                }
                weight[k] = value / inputScales[c] * outputScales[r];
            }
        }
        return new AwqLayer(weight, rows, columns, bits, groupSize, grid.codes(), grid.scales(), grid.zeros(), inputScales,
                outputScales, alpha, clippedGroups, Double.NaN);
    }

    /** n ones: the scales of a group that was not scaled. */
    public static float[] ones(int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }
}
