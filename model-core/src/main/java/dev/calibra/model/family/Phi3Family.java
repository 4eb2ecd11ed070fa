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
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.LinearSpec.Role;
import dev.calibra.model.decoder.RopeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Phi-3 and Phi-4 (transformers modeling_phi3): Llama's block with q/k/v fused into qkv_proj and gate/up
 * fused into gate_up_proj (compressed as the checkpoint stores them: one Hessian per fused linear), a partial
 * rotary embedding (partial_rotary_factor), LongRoPE, and a sliding window on every layer when set.
 */
public final class Phi3Family implements ModelFamily {

    @Override
    public String name() {
        return "phi3";
    }

    @Override
    public List<String> architectures() {
        return List.of("Phi3ForCausalLM");
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        Dims dims = FamilyParts.dims(config, "intermediate_size", 4096, 0);
        double eps = config.optionalDouble("rms_norm_eps", 1e-5);
        boolean tied = config.optionalBoolean("tie_word_embeddings", false);
        DecoderSpec.Activation activation = FamilyParts.activation(config, "hidden_act", "silu");
        RopeSpec rope = RopeConfigs.read(config, dims.headDim(), 10000.0, dims.maxPositions(), true);
        boolean slidingEverywhere = config.has("sliding_window");
        int window = config.optionalInt("sliding_window", 0);
        boolean[] sliding = FamilyParts.slidingLayers(config, dims.layers(), layer -> slidingEverywhere);
        List<LayerAttention> layers = new ArrayList<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            layers.add(new LayerAttention(sliding[layer], Optional.of(rope)));
        }
        int q = dims.heads() * dims.headDim();
        int kv = dims.kvHeads() * dims.headDim();
        List<LinearSpec> linears = List.of(
                new LinearSpec("qkv_proj", "self_attn.qkv_proj", Role.FUSED_QKV, q + 2 * kv, dims.hidden(), false, 0,
                        "input_layernorm"),
                new LinearSpec("o_proj", "self_attn.o_proj", Role.OUTPUT, dims.hidden(), q, false, 1, "self_attn.qkv_proj"),
                new LinearSpec("gate_up_proj", "mlp.gate_up_proj", Role.FUSED_GATE_UP, 2 * dims.intermediate(), dims.hidden(),
                        false, 2, "post_attention_layernorm"),
                new LinearSpec("down_proj", "mlp.down_proj", Role.DOWN, dims.hidden(), dims.intermediate(), false, 3,
                        "mlp.gate_up_proj"));
        return new DecoderSpec(dims, new Embedding(1f, dims.hidden(), Optional.empty()), new Norm(NormKind.RMS, eps),
                Layout.PRE_NORM, new Attention(false, 1 / Math.sqrt(dims.headDim()), 0, window), layers,
                new Mlp(true, activation), new Head(true, 0, tied),
                FamilyParts.llamaNames("input_layernorm", "post_attention_layernorm", Optional.empty(), Optional.empty(), false),
                linears);
    }
}
