package dev.calibra.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.calibra.model.config.ModelConfig;
import dev.calibra.model.decoder.LinearSpec;
import java.util.List;
import java.util.Map;

/**
 * A causal language model on DJL NDArrays, whole or one block at a time. Results are attached to the
 * manager of the array passed in; the model's own temporaries live in one scope per block call.
 */
public interface CausalLm extends AutoCloseable {

    ModelConfig config();

    Device device();

    int numLayers();

    int vocabSize();

    /** A new manager on the model's device, for the caller's inputs (close it when done). */
    NDManager newManager();

    /** Logits {@code [batch, seq, vocab]} float32 of int ids {@code [batch, seq]}. */
    default NDArray forward(NDArray ids) {
        return forward(ids, null);
    }

    /** Logits for ids that follow the cached positions; appends to {@code cache} when not null. */
    NDArray forward(NDArray ids, KvCache cache);

    /** An empty key/value cache whose memory belongs to a child of {@code parent}. */
    default KvCache newCache(NDManager parent) {
        return new KvCache(parent, numLayers());
    }

    /** Token embeddings {@code [batch, seq, hidden]} of int ids {@code [batch, seq]}. */
    NDArray embed(NDArray ids);

    /** One transformer block over {@code [batch, seq, hidden]} at positions 0..seq-1. */
    NDArray block(int layer, NDArray hidden, LinearHook hook);

    /** The two sublayers of a block, each fed by the norm before it (in pre-norm layouts). */
    enum Sublayer {
        ATTENTION, MLP
    }

    /**
     * One sublayer of block {@code layer} over its input {@code [batch, seq, hidden]} (what the norm before it
     * gives), at positions 0..seq-1, with the linears named in {@code replaced} using those weights for this call
     * only: how AWQ weighs candidate scales by a sublayer's output.
     */
    NDArray sublayer(int layer, Sublayer sublayer, NDArray input, Map<String, NDArray> replaced);

    /** Final norm and language-model head: {@code [batch, seq, hidden]} to {@code [batch, seq, vocab]}. */
    NDArray head(NDArray hidden);

    /** The linears of one block in execution order, as the model's family describes them. */
    List<LinearSpec> linears();

    /** Names of the linears of one block ("q_proj", "qkv_proj", "fc1"), in execution order. */
    default List<String> linearNames() {
        return linears().stream().map(LinearSpec::name).toList();
    }

    /** A copy of a linear's weight {@code [out_features, in_features]} in {@code into}. */
    NDArray linearWeight(int layer, String linearName, NDManager into);

    /** Replaces a linear's weight {@code [out_features, in_features]} (e.g. with its compressed version). */
    void setLinearWeight(int layer, String linearName, NDArray weight);

    /** Replaces a linear's weight from row-major float32 values. */
    void setLinearWeight(int layer, String linearName, float[] weight);

    /**
     * Reads block {@code layer}'s weights now if they are not in memory (otherwise its first use reads them), so a
     * caller can time reading the checkpoint apart from computing.
     */
    void loadLayer(int layer);

    /** Frees a block's weights; they are read again from the checkpoint when next needed (unless replaced). */
    void unloadLayer(int layer);

    /**
     * Frees a block's weights, replaced ones included: when next needed they are read again from the
     * checkpoint, so the block is the original one again (for callers that keep the replacements elsewhere).
     */
    void discardLayer(int layer);

    @Override
    void close();
}
