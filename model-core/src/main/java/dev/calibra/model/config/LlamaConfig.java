package dev.calibra.model.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of a Llama-family model (HF {@code LlamaConfig} field names). {@code attentionBias}
 * covers q/k/v/o (Qwen2: q/k/v only, see {@link #qkvBias()}).
 */
public record LlamaConfig(
        Architecture architecture,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        int bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        Optional<Map<String, Object>> quantizationConfig) implements ModelConfig {

    public LlamaConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numAttentionHeads <= 0 || numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads
                    + " must be a positive multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0 || vocabSize <= 0 || headDim <= 0
                || headDim % 2 != 0) {
            throw new IllegalArgumentException("hidden_size, intermediate_size, num_hidden_layers, vocab_size must be"
                    + " positive and head_dim positive and even; got hidden " + hiddenSize + ", intermediate "
                    + intermediateSize + ", layers " + numHiddenLayers + ", vocab " + vocabSize + ", head_dim " + headDim);
        }
    }

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Whether q_proj, k_proj, v_proj carry biases. */
    public boolean qkvBias() {
        return attentionBias || architecture.qkvBias();
    }

    /** Whether o_proj carries a bias. */
    public boolean outputBias() {
        return attentionBias;
    }

    /** A config for a synthetic model (tests, benchmarks): float32, no biases, untied. */
    public static LlamaConfig synthetic(int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
            int vocabSize) {
        return new LlamaConfig(Architecture.LLAMA_FOR_CAUSAL_LM, hiddenSize, intermediateSize, layers, heads, kvHeads,
                hiddenSize / heads, vocabSize, 4096, 1e-5, 10000.0, false, false, false, 1, List.of(2), "float32",
                Optional.empty());
    }
}
