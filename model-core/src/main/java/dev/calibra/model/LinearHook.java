package dev.calibra.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees the input (and output) of every linear layer during a block call, so compression can accumulate its
 * statistics (GPTQ/SparseGPT Hessians, Wanda column norms, output energy). The arrays are
 * {@code [tokens, features]} and live only for the block call: copy what must outlive them.
 */
@FunctionalInterface
public interface LinearHook {

    /** A hook that does nothing (plain inference). */
    LinearHook NONE = (layer, linearName, input) -> {};

    /**
     * @param layer      block index, 0-based
     * @param linearName HF name of the linear, e.g. "q_proj", "down_proj"
     * @param input      the linear's input, {@code [tokens, in_features]} float32
     */
    void onInput(int layer, String linearName, NDArray input);

    /**
     * The same linear's output for that input, without its bias: {@code input W^T}, {@code [tokens, out_features]}
     * float32 (with a bias, the output minus the bias).
     */
    default void onOutput(int layer, String linearName, NDArray outputWithoutBias) {}
}
