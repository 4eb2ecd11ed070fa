package dev.calibra.model.family;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.config.ConfigFields;
import dev.calibra.model.decoder.DecoderSpec.Activation;
import dev.calibra.model.decoder.DecoderSpec.Dims;
import dev.calibra.model.decoder.DecoderSpec.TensorNames;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.LinearSpec.Role;
import dev.calibra.model.safetensors.HalfFloats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/** What several families share: Llama-style blocks, activations, layer types. */
final class FamilyParts {

    static final String FULL = "full_attention";
    static final String SLIDING = "sliding_attention";

    private FamilyParts() {}

    /** transformers' ACT2FN names Calibra computes. */
    static Activation activation(ConfigFields config, String field, String fallback) throws ModelFormatException {
        String name = config.optionalString(field, fallback);
        return switch (name) {
            case "silu", "swish" -> Activation.SILU;
            // NewGELUActivation, PytorchGELUTanh and FastGELUActivation are the same tanh approximation
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU;
            case "relu" -> Activation.RELU;
            default -> throw config.refuse(field, "activation '" + name + "' is not one Calibra computes"
                    + " (silu, gelu, gelu_pytorch_tanh, gelu_new, gelu_fast, relu)");
        };
    }

    /**
     * Gemma's embedding normalizer: sqrt(hidden_size) as a tensor of the model's dtype (transformers casts it),
     * so a bfloat16 checkpoint multiplies by the bfloat16 value (sqrt(3072) = 55.43 becomes 55.5).
     */
    static float embeddingNormalizer(ConfigFields config, int hidden) throws ModelFormatException {
        float value = (float) Math.sqrt(hidden);
        String dtype = config.optionalString("torch_dtype", config.optionalString("dtype", "float32"));
        return switch (dtype) {
            case "bfloat16" -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(value));
            case "float16" -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(value));
            default -> value;
        };
    }

    /** The common size fields; head_dim defaults to hidden / heads. */
    static Dims dims(ConfigFields config, String intermediateField, int defaultMaxPositions, int defaultHeadDim)
            throws ModelFormatException {
        int hidden = config.requiredInt("hidden_size");
        int heads = config.requiredInt("num_attention_heads");
        return new Dims(hidden, config.requiredInt(intermediateField), config.requiredInt("num_hidden_layers"),
                config.requiredInt("vocab_size"), heads, config.optionalInt("num_key_value_heads", heads),
                config.optionalInt("head_dim", defaultHeadDim > 0 ? defaultHeadDim : hidden / Math.max(1, heads)),
                config.optionalInt("max_position_embeddings", defaultMaxPositions));
    }

    /**
     * The seven linears of a Llama-style block in execution order, with GPTQ's sequential groups (q/k/v, o,
     * gate/up, down) and what precedes each (AWQ's mappings).
     */
    static List<LinearSpec> llamaLinears(Dims dims, boolean qkvBias, boolean outputBias, boolean mlpBias, String attentionNorm,
            String mlpNorm) {
        int q = dims.heads() * dims.headDim();
        int kv = dims.kvHeads() * dims.headDim();
        List<LinearSpec> linears = new ArrayList<>();
        linears.add(new LinearSpec("q_proj", "self_attn.q_proj", Role.QUERY, q, dims.hidden(), qkvBias, 0, attentionNorm));
        linears.add(new LinearSpec("k_proj", "self_attn.k_proj", Role.KEY, kv, dims.hidden(), qkvBias, 0, attentionNorm));
        linears.add(new LinearSpec("v_proj", "self_attn.v_proj", Role.VALUE, kv, dims.hidden(), qkvBias, 0, attentionNorm));
        linears.add(new LinearSpec("o_proj", "self_attn.o_proj", Role.OUTPUT, dims.hidden(), q, outputBias, 1, "self_attn.v_proj"));
        linears.add(new LinearSpec("gate_proj", "mlp.gate_proj", Role.GATE, dims.intermediate(), dims.hidden(), mlpBias, 2, mlpNorm));
        linears.add(new LinearSpec("up_proj", "mlp.up_proj", Role.UP, dims.intermediate(), dims.hidden(), mlpBias, 2, mlpNorm));
        linears.add(new LinearSpec("down_proj", "mlp.down_proj", Role.DOWN, dims.hidden(), dims.intermediate(), mlpBias, 3,
                "mlp.up_proj"));
        return linears;
    }

    /** Tensor names under "model." with Llama's global names; per-block norms as given. */
    static TensorNames llamaNames(String attentionNorm, String mlpNorm, Optional<String> postAttentionNorm,
            Optional<String> postMlpNorm, boolean qkNorm) {
        return new TensorNames("model.", "embed_tokens.weight", Optional.empty(), Optional.empty(), Optional.empty(), "norm",
                "lm_head.weight", attentionNorm, mlpNorm, postAttentionNorm, postMlpNorm,
                qkNorm ? Optional.of("self_attn.q_norm") : Optional.empty(), qkNorm ? Optional.of("self_attn.k_norm") : Optional.empty());
    }

    /**
     * Which layers use sliding-window attention: {@code layer_types} when the config lists them (transformers v5
     * writes it), else the family's rule.
     */
    static boolean[] slidingLayers(ConfigFields config, int layers, IntPredicate familyRule) throws ModelFormatException {
        boolean[] sliding = new boolean[layers];
        Optional<List<String>> types = config.optionalStrings("layer_types");
        if (types.isPresent()) {
            if (types.get().size() != layers) {
                throw config.refuse("layer_types", "has " + types.get().size() + " entries for " + layers + " layers");
            }
            for (int layer = 0; layer < layers; layer++) {
                String type = types.get().get(layer);
                if (!type.equals(FULL) && !type.equals(SLIDING)) {
                    throw config.refuse("layer_types", "layer " + layer + " is '" + type + "'; Calibra computes "
                            + FULL + " and " + SLIDING);
                }
                sliding[layer] = type.equals(SLIDING);
            }
            return sliding;
        }
        for (int layer = 0; layer < layers; layer++) {
            sliding[layer] = familyRule.test(layer);
        }
        return sliding;
    }
}
