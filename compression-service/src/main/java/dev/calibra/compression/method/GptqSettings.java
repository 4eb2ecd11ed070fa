package dev.calibra.compression.method;

/**
 * GPTQ settings, defaults as in IST-DASLab/gptq {@code fasterquant}.
 *
 * @param bits         bits per weight: 2, 3, 4 or 8
 * @param groupSize    columns sharing one scale/zero per row; -1 for one group per row
 * @param symmetric    symmetric grid (zero point fixed at (2^bits)/2) instead of min/max asymmetric
 * @param actOrder     quantize columns in order of decreasing Hessian diagonal ("desc_act")
 * @param dampening    fraction of the mean Hessian diagonal added to the diagonal ("percdamp")
 * @param blockSize    columns per lazy-batch block
 */
public record GptqSettings(int bits, int groupSize, boolean symmetric, boolean actOrder, double dampening,
        int blockSize) {

    public GptqSettings {
        Quantizer.requireValidBits(bits);
        Quantizer.requireValidGroupSize(groupSize);
        requireDampening(dampening);
        requireBlockSize(blockSize);
    }

    /** 4-bit, group 128, asymmetric, no act-order, 1% dampening, block 128. */
    public static GptqSettings defaults() {
        return new GptqSettings(4, 128, false, false, 0.01, 128);
    }

    static void requireDampening(double dampening) {
        if (!(dampening > 0 && dampening < 1e3)) {
            throw new IllegalArgumentException("dampening: must be > 0, got " + dampening);
        }
    }

    static void requireBlockSize(int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize: must be >= 1, got " + blockSize);
        }
    }
}
