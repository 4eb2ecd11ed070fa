package dev.calibra.compression.method;

/**
 * SpQR settings (Vahe1994/SpQR {@code SPQRUtil.quantize} and its {@code Quantizer.configure}); defaults are the
 * SpQR README's recipe: 3 bits in groups of 16, second-level 3-bit statistics in groups of 16, outlier threshold
 * 0.2, act-order permutation, dampening 1.0 of the mean diagonal.
 *
 * @param bits             bits per weight (maxq = 2^bits - 1)
 * @param groupSize        input columns per first-level group (in the permuted order)
 * @param qqScaleBits      bits of the second-level quantization of each group's per-row scales
 * @param qqZeroBits       bits of the second-level quantization of each group's per-row zero points
 * @param qqGroupSize      consecutive rows sharing one second-level scale and zero
 * @param outlierThreshold relative threshold: a weight is an outlier when its scaled error squared exceeds
 *                         {@code outlierThreshold * mean_j(var(W[:, j]) / Hinv_jj^2)}; infinity: none
 * @param actOrder         permute columns by decreasing Hessian diagonal (permutation_order act_order)
 * @param dampening        fraction of mean |diag H| added to the diagonal (percdamp)
 * @param blockSize        columns per lazy batch update (does not change the result)
 */
public record SpqrSettings(int bits, int groupSize, int qqScaleBits, int qqZeroBits, int qqGroupSize, double outlierThreshold,
        boolean actOrder, double dampening, int blockSize) {

    public SpqrSettings {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits: must be in [1, 8], got " + bits);
        }
        for (int qq : new int[] {qqScaleBits, qqZeroBits}) {
            if (qq < 1 || qq > 8) {
                throw new IllegalArgumentException((qq == qqScaleBits ? "qq_scale_bits" : "qq_zero_bits")
                        + ": must be in [1, 8], got " + qq);
            }
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("group_size: must be >= 1, got " + groupSize);
        }
        if (qqGroupSize < 1) {
            throw new IllegalArgumentException("qq_group_size: must be >= 1, got " + qqGroupSize);
        }
        if (!(outlierThreshold > 0)) {
            throw new IllegalArgumentException("outlier_threshold: must be > 0 (infinity: no outliers), got " + outlierThreshold);
        }
        GptqSettings.requireDampening(dampening);
        GptqSettings.requireBlockSize(blockSize);
    }

    /** The README recipe. */
    public static SpqrSettings readme() {
        return new SpqrSettings(3, 16, 3, 3, 16, 0.2, true, 1.0, 128);
    }

    /**
     * Average bits per weight as SpQR's {@code get_average_number_of_bits} counts them (round_zero off, 16-bit
     * second-level statistics), plus 32 bits per outlier (16-bit value and 16-bit column index).
     */
    public double averageBits(double outlierFraction) {
        double bitsPerWeight = bits + (double) (qqScaleBits + qqZeroBits) / groupSize + 2.0 * (16 + 16) / ((double) groupSize * qqGroupSize);
        return bitsPerWeight + 32 * outlierFraction;
    }
}
