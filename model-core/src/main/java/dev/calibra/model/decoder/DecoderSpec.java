package dev.calibra.model.decoder;

import java.util.List;
import java.util.Optional;

/**
 * What a decoder-only transformer computes, as data: the one {@link DecoderModel} runs every family from
 * it. A family (dev.calibra.model.family) builds it from config.json; nothing else knows family names.
 *
 * @param dims       sizes
 * @param embedding  how token ids become the first hidden states
 * @param norm       the kind of every norm of the model (block norms, q/k norms, final norm) and its epsilon
 * @param layout     where the norms sit around attention and MLP
 * @param attention  attention features shared by every layer
 * @param layers     per block: sliding window or full attention, and its rotary embedding
 * @param mlp        the MLP's shape and activation
 * @param head       what follows the last block
 * @param names      the checkpoint's tensor names
 * @param linears    the linears of one block in execution order
 */
public record DecoderSpec(Dims dims, Embedding embedding, Norm norm, Layout layout, Attention attention,
        List<LayerAttention> layers, Mlp mlp, Head head, TensorNames names, List<LinearSpec> linears) {

    public DecoderSpec {
        layers = List.copyOf(layers);
        linears = List.copyOf(linears);
        if (layers.size() != dims.layers()) {
            throw new IllegalArgumentException("layers: " + layers.size() + " layer descriptions for " + dims.layers() + " layers");
        }
    }

    /** Sizes; {@code headDim} may differ from hidden / heads (Qwen3, Gemma). */
    public record Dims(int hidden, int intermediate, int layers, int vocab, int heads, int kvHeads, int headDim,
            int maxPositions) {
        public Dims {
            if (hidden <= 0 || intermediate <= 0 || layers <= 0 || vocab <= 0 || headDim <= 0) {
                throw new IllegalArgumentException("hidden_size, intermediate_size, num_hidden_layers, vocab_size and head_dim"
                        + " must be positive; got hidden " + hidden + ", intermediate " + intermediate + ", layers " + layers
                        + ", vocab " + vocab + ", head_dim " + headDim);
            }
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("num_attention_heads " + heads + " must be a positive multiple of"
                        + " num_key_value_heads " + kvHeads);
            }
        }

        /** Query heads per key/value head (grouped-query attention). */
        public int groupSize() {
            return heads / kvHeads;
        }
    }

    /**
     * @param scale                multiplies the token embeddings (Gemma: sqrt(hidden_size) in the weights' dtype)
     * @param width                columns of embed_tokens (OPT's word_embed_proj_dim; else hidden)
     * @param learnedPositionShift OPT's learned positions read row {@code position + shift}; absent: no such table
     */
    public record Embedding(float scale, int width, Optional<Integer> learnedPositionShift) {}

    /** RMSNorm, Gemma's RMSNorm of (1 + weight), or LayerNorm with weight and bias. */
    public enum NormKind {
        RMS, RMS_ONE_PLUS, LAYER_NORM
    }

    public record Norm(NormKind kind, double eps) {}

    /**
     * PRE_NORM: h = x + attn(n1(x)); out = h + mlp(n2(h)) (Llama, OPT). SANDWICH adds a norm after each
     * sublayer (Gemma 2/3): h = x + n1'(attn(n1(x))); out = h + n2'(mlp(n2(h))). POST_NORM: h = n1(x + attn(x));
     * out = n2(h + mlp(h)) (OPT with do_layer_norm_before=false).
     */
    public enum Layout {
        PRE_NORM, SANDWICH, POST_NORM
    }

    /**
     * @param qkNorm        per-head norm of q and k before the rotary embedding (Qwen3, Gemma 3)
     * @param scaling       multiplies q k^T (head_dim^-0.5, or Gemma's query_pre_attn_scalar^-0.5)
     * @param softcap       scores become {@code tanh(s / softcap) * softcap} before the mask; 0: none (Gemma 2)
     * @param slidingWindow a sliding layer's query at position i sees keys j with {@code i - j < slidingWindow}
     */
    public record Attention(boolean qkNorm, double scaling, double softcap, int slidingWindow) {}

    /** One block's attention: windowed or not, and its rotary embedding (empty: no rotary, as OPT). */
    public record LayerAttention(boolean sliding, Optional<RopeSpec> rope) {}

    public enum Activation {
        SILU, GELU_TANH, GELU, RELU
    }

    /** A gated MLP (down(act(gate) * up), gate/up fused or not) or a plain one (fc2(act(fc1))). */
    public record Mlp(boolean gated, Activation activation) {}

    /**
     * @param finalNorm     a norm after the last block
     * @param softcap       logits become {@code tanh(l / softcap) * softcap}; 0: none (Gemma 2)
     * @param tied          lm_head is embed_tokens
     */
    public record Head(boolean finalNorm, double softcap, boolean tied) {}

    /**
     * Tensor names: {@code prefix} is "model." or "model.decoder."; block tensors are
     * {@code prefix + "layers." + i + "." + name}; norms carry ".weight" (and ".bias" for LayerNorm).
     */
    public record TensorNames(String prefix, String embedTokens, Optional<String> embedPositions, Optional<String> projectIn,
            Optional<String> projectOut, String finalNorm, String lmHead, String attentionNorm, String mlpNorm,
            Optional<String> postAttentionNorm, Optional<String> postMlpNorm, Optional<String> queryNorm,
            Optional<String> keyNorm) {

        /** The same names under another prefix (original OPT checkpoints say "decoder." where transformers saves "model.decoder."). */
        public TensorNames withPrefix(String other) {
            return new TensorNames(other, embedTokens, embedPositions, projectIn, projectOut, finalNorm, lmHead, attentionNorm, mlpNorm,
                    postAttentionNorm, postMlpNorm, queryNorm, keyNorm);
        }

        public String global(String name) {
            return prefix + name;
        }

        public String block(int layer, String name) {
            return prefix + "layers." + layer + "." + name;
        }
    }

    public DecoderSpec withNames(TensorNames other) {
        return new DecoderSpec(dims, embedding, norm, layout, attention, layers, mlp, head, other, linears);
    }

    /** The linear named {@code name} ("q_proj"); {@link IllegalArgumentException} naming the valid ones. */
    public LinearSpec linear(String name) {
        for (LinearSpec linear : linears) {
            if (linear.name().equals(name)) {
                return linear;
            }
        }
        throw new IllegalArgumentException("unknown linear '" + name + "'; this model's blocks have: "
                + linears.stream().map(LinearSpec::name).toList());
    }

    /** The linear with {@code role}, if the block has one. */
    public Optional<LinearSpec> linear(LinearSpec.Role role) {
        return linears.stream().filter(linear -> linear.role() == role).findFirst();
    }

    /** Checkpoint name of a linear's weight in block {@code layer}. */
    public String weightName(int layer, LinearSpec linear) {
        return names.block(layer, linear.module() + ".weight");
    }

    public String biasName(int layer, LinearSpec linear) {
        return names.block(layer, linear.module() + ".bias");
    }

    /** Parameters of one block's linears (what compression touches). */
    public long linearParameters() {
        return linears.stream().mapToLong(LinearSpec::parameters).sum();
    }
}
