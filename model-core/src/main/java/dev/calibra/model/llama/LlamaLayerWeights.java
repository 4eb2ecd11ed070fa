package dev.calibra.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.EnumMap;
import java.util.Map;

/**
 * One block's weights in their own manager: the two RMSNorm scales, seven linear weights
 * {@code [out, in]} and optional biases. A linear can be replaced in place (compression).
 */
final class LlamaLayerWeights implements AutoCloseable {

    private final NDManager manager;
    final NDArray inputNorm;
    final NDArray postAttentionNorm;
    private final Map<LinearName, NDArray> weights = new EnumMap<>(LinearName.class);
    private final Map<LinearName, NDArray> biases = new EnumMap<>(LinearName.class);
    private boolean modified;

    LlamaLayerWeights(NDManager manager, NDArray inputNorm, NDArray postAttentionNorm) {
        this.manager = manager;
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
    }

    NDManager manager() {
        return manager;
    }

    NDArray weight(LinearName linear) {
        return weights.get(linear);
    }

    /** The bias, or null when the linear has none. */
    NDArray bias(LinearName linear) {
        return biases.get(linear);
    }

    void putWeight(LinearName linear, NDArray weight) {
        NDArray previous = weights.put(linear, weight);
        if (previous != null) {
            previous.close();
            modified = true;
        }
    }

    void putBias(LinearName linear, NDArray bias) {
        biases.put(linear, bias);
    }

    /** Whether a weight was replaced since loading (then the layer must not be unloaded). */
    boolean modified() {
        return modified;
    }

    @Override
    public void close() {
        manager.close();
    }
}
