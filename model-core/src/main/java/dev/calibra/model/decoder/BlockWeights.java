package dev.calibra.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * One block's weights in their own manager: its norms (weight, and bias for LayerNorm) by name and its
 * linears (weight {@code [out, in]}, optional bias) by name. A linear can be replaced in place (compression).
 */
final class BlockWeights implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> normWeights = new HashMap<>();
    private final Map<String, NDArray> normBiases = new HashMap<>();
    private final Map<String, NDArray> weights = new HashMap<>();
    private final Map<String, NDArray> biases = new HashMap<>();
    private boolean modified;

    BlockWeights(NDManager manager) {
        this.manager = manager;
    }

    NDManager manager() {
        return manager;
    }

    void putNorm(String name, NDArray weight, NDArray bias) {
        normWeights.put(name, weight);
        if (bias != null) {
            normBiases.put(name, bias);
        }
    }

    NDArray normWeight(String name) {
        return normWeights.get(name);
    }

    /** The norm's bias, or null (RMSNorm). */
    NDArray normBias(String name) {
        return normBiases.get(name);
    }

    NDArray weight(String linear) {
        return weights.get(linear);
    }

    /** The linear's bias, or null when it has none. */
    NDArray bias(String linear) {
        return biases.get(linear);
    }

    void putWeight(String linear, NDArray weight) {
        NDArray previous = weights.put(linear, weight);
        if (previous != null) {
            previous.close();
            modified = true;
        }
    }

    void putBias(String linear, NDArray bias) {
        biases.put(linear, bias);
    }

    /** A view with some linears' weights swapped for this call only; it owns nothing and is never closed. */
    BlockWeights withWeights(Map<String, NDArray> replaced) {
        BlockWeights view = new BlockWeights(manager);
        view.normWeights.putAll(normWeights);
        view.normBiases.putAll(normBiases);
        view.weights.putAll(weights);
        view.weights.putAll(replaced);
        view.biases.putAll(biases);
        return view;
    }

    /** Whether a weight was replaced since loading (then the block must not be unloaded). */
    boolean modified() {
        return modified;
    }

    @Override
    public void close() {
        manager.close();
    }
}
