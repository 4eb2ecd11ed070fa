package dev.calibra.compression.method;

/**
 * SparseGPT settings, defaults as in IST-DASLab/sparsegpt {@code fasterprune}.
 *
 * @param pattern    unstructured sparsity (mask chosen per block) or N:M (mask chosen per M-group)
 * @param dampening  fraction of the mean Hessian diagonal added to the diagonal ("percdamp")
 * @param blockSize  columns per block; for N:M a multiple of M
 */
public record SparseGptSettings(SparsityPattern pattern, double dampening, int blockSize) {

    public SparseGptSettings {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern: must not be null");
        }
        GptqSettings.requireDampening(dampening);
        GptqSettings.requireBlockSize(blockSize);
        if (pattern instanceof SparsityPattern.NOfM nm && blockSize % nm.m() != 0) {
            throw new IllegalArgumentException("blockSize: must be a multiple of m=" + nm.m() + ", got " + blockSize);
        }
    }

    public static SparseGptSettings of(SparsityPattern pattern) {
        return new SparseGptSettings(pattern, 0.01, 128);
    }
}
