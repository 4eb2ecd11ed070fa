package dev.calibra.model.family;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.config.ConfigFields;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.DecoderSpec.Attention;
import dev.calibra.model.decoder.DecoderSpec.Dims;
import dev.calibra.model.decoder.DecoderSpec.Embedding;
import dev.calibra.model.decoder.DecoderSpec.Head;
import dev.calibra.model.decoder.DecoderSpec.LayerAttention;
import dev.calibra.model.decoder.DecoderSpec.Layout;
import dev.calibra.model.decoder.DecoderSpec.Mlp;
import dev.calibra.model.decoder.DecoderSpec.Norm;
import dev.calibra.model.decoder.DecoderSpec.NormKind;
import dev.calibra.model.decoder.RopeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Llama (transformers modeling_llama), and Mistral and Qwen2, which differ from it only in config: pre-RMSNorm
 * blocks, rotary grouped-query attention, a gated MLP. Llama reads attention_bias/mlp_bias and every rope type;
 * Mistral adds a sliding window on every layer; Qwen2 has q/k/v biases and a sliding window from
 * max_window_layers on when use_sliding_window is set.
 */
public final class LlamaFamily implements ModelFamily {

    static final String LLAMA = "LlamaForCausalLM";
    static final String MISTRAL = "MistralForCausalLM";
    static final String QWEN2 = "Qwen2ForCausalLM";

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public List<String> architectures() {
        return List.of(LLAMA, MISTRAL, QWEN2);
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        Dims dims = FamilyParts.dims(config, "intermediate_size", architecture.equals(LLAMA) ? 2048 : 32768, 0);
        double eps = config.optionalDouble("rms_norm_eps", 1e-6);
        boolean tied = config.optionalBoolean("tie_word_embeddings", false);
        // pretraining_tp > 1 splits Llama's matmuls into slices: the same numbers, so any value is fine
        config.node("pretraining_tp");
        boolean qkvBias;
        boolean outputBias;
        boolean mlpBias = false;
        if (architecture.equals(QWEN2)) {
            qkvBias = true;
            outputBias = false;
        } else if (architecture.equals(LLAMA)) {
            qkvBias = config.optionalBoolean("attention_bias", false);
            outputBias = qkvBias;
            mlpBias = config.optionalBoolean("mlp_bias", false);
        } else {
            qkvBias = false;
            outputBias = false;
        }
        DecoderSpec.Activation activation = FamilyParts.activation(config, "hidden_act", "silu");
        RopeSpec rope = RopeConfigs.read(config, dims.headDim(), 10000.0, dims.maxPositions(), false);
        boolean[] sliding = slidingLayers(architecture, config, dims.layers());
        int window = 0;
        List<LayerAttention> layers = new ArrayList<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            layers.add(new LayerAttention(sliding[layer], Optional.of(rope)));
            if (sliding[layer]) {
                window = config.optionalInt("sliding_window", 0);
                if (window <= 0) {
                    throw config.refuse("sliding_window", "layer " + layer + " is a sliding layer and needs a positive window");
                }
            }
        }
        return new DecoderSpec(dims, new Embedding(1f, dims.hidden(), Optional.empty()), new Norm(NormKind.RMS, eps),
                Layout.PRE_NORM, new Attention(false, 1 / Math.sqrt(dims.headDim()), 0, window), layers,
                new Mlp(true, activation), new Head(true, 0, tied),
                FamilyParts.llamaNames("input_layernorm", "post_attention_layernorm", Optional.empty(), Optional.empty(), false),
                FamilyParts.llamaLinears(dims, qkvBias, outputBias, mlpBias, "input_layernorm", "post_attention_layernorm"));
    }

    /**
     * Mistral: every layer when sliding_window is set. Qwen2: layers from max_window_layers on when
     * use_sliding_window is true (Qwen2Config.layer_types). Llama has none (sliding_window is refused).
     */
    private static boolean[] slidingLayers(String architecture, ConfigFields config, int layers) throws ModelFormatException {
        return switch (architecture) {
            case MISTRAL -> FamilyParts.slidingLayers(config, layers, layer -> config.has("sliding_window"));
            case QWEN2 -> {
                boolean use = config.optionalBoolean("use_sliding_window", false);
                int from = config.optionalInt("max_window_layers", 28);
                config.node("sliding_window");
                yield FamilyParts.slidingLayers(config, layers, layer -> use && layer >= from);
            }
            default -> new boolean[layers];
        };
    }
}
