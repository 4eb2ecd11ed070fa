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
 * Gemma 3, text only (transformers modeling_gemma3, Gemma3ForCausalLM with model_type gemma3_text): Gemma 2's
 * block with (1 + w) q/k norms instead of attention soft-capping, five sliding layers to one global by default,
 * and two rotary embeddings: rope_local_base_freq on sliding layers, rope_theta with rope_scaling on global ones.
 */
public final class Gemma3Family implements ModelFamily {

    @Override
    public String name() {
        return "gemma3";
    }

    @Override
    public List<String> architectures() {
        return List.of("Gemma3ForCausalLM");
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        Dims dims = FamilyParts.dims(config, "intermediate_size", 131072, 256);
        double eps = config.optionalDouble("rms_norm_eps", 1e-6);
        boolean tied = config.optionalBoolean("tie_word_embeddings", true);
        boolean bias = config.optionalBoolean("attention_bias", false);
        DecoderSpec.Activation activation = FamilyParts.activation(config, "hidden_activation", "gelu_pytorch_tanh");
        double scalar = config.optionalDouble("query_pre_attn_scalar", 256);
        double attentionCap = config.numberOrNone("attn_logit_softcapping", 0);
        double finalCap = config.numberOrNone("final_logit_softcapping", 0);
        if (config.optionalBoolean("use_bidirectional_attention", false)) {
            throw config.refuse("use_bidirectional_attention", "bidirectional attention (Gemma 3 embedding models) is not causal"
                    + " language modelling");
        }
        int window = config.optionalInt("sliding_window", 4096);
        int pattern = config.optionalInt("sliding_window_pattern", 6);
        if (pattern <= 0) {
            throw config.refuse("sliding_window_pattern", "must be positive");
        }
        // Gemma3Config: sliding unless (i + 1) % sliding_window_pattern == 0 (layer_types when given)
        boolean[] sliding = FamilyParts.slidingLayers(config, dims.layers(), layer -> (layer + 1) % pattern != 0);
        RopeSpec global = RopeConfigs.forLayerType(config, FamilyParts.FULL, dims.headDim(), 1_000_000.0, dims.maxPositions());
        RopeSpec local = RopeConfigs.forLayerType(config, FamilyParts.SLIDING, dims.headDim(), 10_000.0, dims.maxPositions());
        List<LayerAttention> layers = new ArrayList<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            layers.add(new LayerAttention(sliding[layer], Optional.of(sliding[layer] ? local : global)));
        }
        return new DecoderSpec(dims, new Embedding(FamilyParts.embeddingNormalizer(config, dims.hidden()), dims.hidden(), Optional.empty()),
                new Norm(NormKind.RMS_ONE_PLUS, eps), Layout.SANDWICH,
                new Attention(true, Math.pow(scalar, -0.5), attentionCap, window), layers, new Mlp(true, activation),
                new Head(true, finalCap, tied),
                FamilyParts.llamaNames("input_layernorm", "pre_feedforward_layernorm", Optional.of("post_attention_layernorm"),
                        Optional.of("post_feedforward_layernorm"), true),
                FamilyParts.llamaLinears(dims, bias, bias, false, "input_layernorm", "pre_feedforward_layernorm"));
    }
}
