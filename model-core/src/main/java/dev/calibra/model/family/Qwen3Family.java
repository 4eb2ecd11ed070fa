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
 * Qwen3 (transformers modeling_qwen3): Llama's block with a per-head RMSNorm of q and k before the rotary
 * embedding (q_norm, k_norm), an explicit head_dim, optional attention biases, and Qwen2's sliding-window rule.
 */
public final class Qwen3Family implements ModelFamily {

    @Override
    public String name() {
        return "qwen3";
    }

    @Override
    public List<String> architectures() {
        return List.of("Qwen3ForCausalLM");
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        Dims dims = FamilyParts.dims(config, "intermediate_size", 32768, 128);
        double eps = config.optionalDouble("rms_norm_eps", 1e-6);
        boolean tied = config.optionalBoolean("tie_word_embeddings", false);
        boolean bias = config.optionalBoolean("attention_bias", false);
        DecoderSpec.Activation activation = FamilyParts.activation(config, "hidden_act", "silu");
        RopeSpec rope = RopeConfigs.read(config, dims.headDim(), 10000.0, dims.maxPositions(), false);
        boolean use = config.optionalBoolean("use_sliding_window", false);
        int from = config.optionalInt("max_window_layers", 28);
        config.node("sliding_window");
        boolean[] sliding = FamilyParts.slidingLayers(config, dims.layers(), layer -> use && layer >= from);
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
                Layout.PRE_NORM, new Attention(true, 1 / Math.sqrt(dims.headDim()), 0, window), layers,
                new Mlp(true, activation), new Head(true, 0, tied),
                FamilyParts.llamaNames("input_layernorm", "post_attention_layernorm", Optional.empty(), Optional.empty(), true),
                FamilyParts.llamaLinears(dims, bias, bias, false, "input_layernorm", "post_attention_layernorm"));
    }
}
