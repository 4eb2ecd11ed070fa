package dev.calibra.compression.method;

/**
 * Round-to-nearest settings.
 *
 * @param bits                       2, 3, 4 or 8
 * @param groupSize                  columns per group, or -1 for one group per row
 * @param symmetric                  symmetric grid
 * @param measureReconstructionError accumulate the Hessian from the batches to report the relative output error
 */
public record RtnSettings(int bits, int groupSize, boolean symmetric, boolean measureReconstructionError) {

    public RtnSettings {
        Quantizer.requireValidBits(bits);
        Quantizer.requireValidGroupSize(groupSize);
    }
}
