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
 * Gemma 2 (transformers modeling_gemma2): RMSNorm of (1 + weight), embeddings scaled by sqrt(hidden_size),
 * a GELU-tanh gated MLP, a norm before and after both attention and MLP, attention scaled by
 * query_pre_attn_scalar^-0.5 and soft-capped, soft-capped logits, and a sliding window on every other layer.
 */
public final class Gemma2Family implements ModelFamily {

    @Override
    public String name() {
        return "gemma2";
    }

    @Override
    public List<String> architectures() {
        return List.of("Gemma2ForCausalLM");
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        Dims dims = FamilyParts.dims(config, "intermediate_size", 8192, 256);
        double eps = config.optionalDouble("rms_norm_eps", 1e-6);
        boolean tied = config.optionalBoolean("tie_word_embeddings", true);
        boolean bias = config.optionalBoolean("attention_bias", false);
        DecoderSpec.Activation activation = FamilyParts.activation(config, "hidden_activation", "gelu_pytorch_tanh");
        double scalar = config.optionalDouble("query_pre_attn_scalar", 256);
        // Gemma2Config's defaults when left out; null switches capping off
        double attentionCap = config.numberOrNone("attn_logit_softcapping", 50.0);
        double finalCap = config.numberOrNone("final_logit_softcapping", 30.0);
        RopeSpec rope = RopeConfigs.read(config, dims.headDim(), 10000.0, dims.maxPositions(), false);
        int window = config.optionalInt("sliding_window", 4096);
        // Gemma2DecoderLayer: even layers slide (layer_types: sliding if (i + 1) % 2)
        boolean[] sliding = FamilyParts.slidingLayers(config, dims.layers(), layer -> layer % 2 == 0);
        List<LayerAttention> layers = new ArrayList<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            layers.add(new LayerAttention(sliding[layer], Optional.of(rope)));
        }
        return new DecoderSpec(dims, new Embedding(FamilyParts.embeddingNormalizer(config, dims.hidden()), dims.hidden(), Optional.empty()),
                new Norm(NormKind.RMS_ONE_PLUS, eps), Layout.SANDWICH,
                new Attention(false, Math.pow(scalar, -0.5), attentionCap, window), layers, new Mlp(true, activation),
                new Head(true, finalCap, tied),
                FamilyParts.llamaNames("input_layernorm", "pre_feedforward_layernorm", Optional.of("post_attention_layernorm"),
                        Optional.of("post_feedforward_layernorm"), false),
                FamilyParts.llamaLinears(dims, bias, bias, false, "input_layernorm", "pre_feedforward_layernorm"));
    }
}
