package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;

/**
 * The lifecycle every compression method shares (IST-DASLab gptq/sparsegpt, locuslab/wanda): feed the
 * layer's calibration inputs batch by batch, compress the weight once, free the statistics.
 *
 * <p>The method never sees the model: the driver captures the inputs of one linear layer, passes them
 * here, and swaps the returned weight in. A compressor is used for one layer and then closed; it owns
 * native memory (its statistics) until {@link #close()}.
 */
public interface LayerCompressor extends AutoCloseable {

    /**
     * Adds calibration inputs of the layer, float32, shape {@code [sequences, tokens, columns]} or
     * {@code [tokens, columns]} (counted as one sequence). Averages are over sequences, as in the
     * reference {@code add_batch}: the Hessian is {@code 2/n * sum X X^T} with n the number of sequences.
     */
    void addBatch(NDArray inputs);

    /**
     * The layer's outputs for the inputs of the same {@link #addBatch} calls, without bias ({@code X W^T}, float32,
     * last dimension out_features), which a forward pass computes anyway: GPTQ and SparseGPT take the
     * reconstruction error's denominator {@code ||W X||^2} from them instead of a gram of W. Optional.
     */
    default void addOutputs(NDArray outputs) {}

    /**
     * Compresses the weight {@code [rows, columns]} (row-major; rows = output features) with the
     * statistics gathered so far. The array is not modified. The result carries its own checked
     * postcondition. Methods with a Hessian consume it (its memory is freed before the heavy part), so a
     * compressor compresses once.
     */
    CompressedLayer compress(float[] weight, int rows, int columns);

    /** Frees the statistics. The compressor cannot be used afterwards. */
    @Override
    void close();
}
