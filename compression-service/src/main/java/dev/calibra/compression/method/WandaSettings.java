package dev.calibra.compression.method;

/**
 * Wanda settings.
 *
 * @param pattern                    unstructured (per output row) or N:M
 * @param measureReconstructionError also accumulate the full Hessian so the result reports
 *                                   ||WX - W'X||^2 / ||WX||^2 (costs one columns^2 matmul per batch)
 */
public record WandaSettings(SparsityPattern pattern, boolean measureReconstructionError) {

    public WandaSettings {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern: must not be null");
        }
    }
}
