package dev.calibra.compression.spec;

/**
 * How the sequential driver runs a method.
 *
 * @param trueSequential capture the inputs again after each of the family's groups of linears
 * @param batchSequences calibration sequences per block forward
 */
public record RunSettings(boolean trueSequential, int batchSequences) {

    public RunSettings {
        if (batchSequences < 1) {
            throw new IllegalArgumentException("batch_size: must be >= 1, got " + batchSequences);
        }
    }

    public RunSettings withTrueSequential(boolean value) {
        return new RunSettings(value, batchSequences);
    }
}
