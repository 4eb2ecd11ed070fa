package dev.calibra.compression.method;

/**
 * Magnitude pruning settings.
 *
 * @param pattern                    unstructured (one threshold over the matrix) or N:M
 * @param measureReconstructionError accumulate the Hessian from the batches (magnitude pruning itself
 *                                   needs no inputs) so the result reports the relative output error
 */
public record MagnitudeSettings(SparsityPattern pattern, boolean measureReconstructionError) {

    public MagnitudeSettings {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern: must not be null");
        }
    }
}
