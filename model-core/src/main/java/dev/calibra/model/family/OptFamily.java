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
import dev.calibra.model.decoder.DecoderSpec.TensorNames;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.LinearSpec.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OPT (transformers modeling_opt), a family of the calibration-data study: learned positions (row position + 2),
 * LayerNorm with bias, biases on every linear, a plain ReLU MLP (fc1, fc2), no rotary embedding; pre-norm
 * blocks, or post-norm with do_layer_norm_before=false (opt-350m, which also projects embeddings in and out
 * of word_embed_proj_dim).
 */
public final class OptFamily implements ModelFamily {

    /** OPTLearnedPositionalEmbedding's offset. */
    static final int POSITION_SHIFT = 2;

    @Override
    public String name() {
        return "opt";
    }

    @Override
    public List<String> architectures() {
        return List.of("OPTForCausalLM");
    }

    /** facebook's original OPT checkpoints name tensors "decoder.*"; save_pretrained writes "model.decoder.*". */
    @Override
    public List<String> alternativePrefixes() {
        return List.of("decoder.");
    }

    @Override
    public DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException {
        int hidden = config.requiredInt("hidden_size");
        int heads = config.requiredInt("num_attention_heads");
        Dims dims = new Dims(hidden, config.requiredInt("ffn_dim"), config.requiredInt("num_hidden_layers"),
                config.requiredInt("vocab_size"), heads, heads, hidden / Math.max(1, heads),
                config.optionalInt("max_position_embeddings", 2048));
        if (hidden % heads != 0) {
            throw config.refuse("num_attention_heads", "must divide hidden_size " + hidden);
        }
        boolean preNorm = config.optionalBoolean("do_layer_norm_before", true);
        boolean removeFinalNorm = config.optionalBoolean("_remove_final_layer_norm", false);
        boolean bias = config.optionalBoolean("enable_bias", true);
        if (!config.optionalBoolean("layer_norm_elementwise_affine", true)) {
            throw config.refuse("layer_norm_elementwise_affine", "LayerNorm without weight and bias is not implemented");
        }
        int width = config.optionalInt("word_embed_proj_dim", hidden);
        boolean projected = width != hidden;
        boolean tied = config.optionalBoolean("tie_word_embeddings", true);
        DecoderSpec.Activation activation = FamilyParts.activation(config, "activation_function", "relu");
        List<LayerAttention> layers = new ArrayList<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            layers.add(new LayerAttention(false, Optional.empty()));
        }
        String attentionNorm = "self_attn_layer_norm";
        String mlpNorm = "final_layer_norm";
        List<LinearSpec> linears = List.of(
                new LinearSpec("q_proj", "self_attn.q_proj", Role.QUERY, hidden, hidden, bias, 0, attentionNorm),
                new LinearSpec("k_proj", "self_attn.k_proj", Role.KEY, hidden, hidden, bias, 0, attentionNorm),
                new LinearSpec("v_proj", "self_attn.v_proj", Role.VALUE, hidden, hidden, bias, 0, attentionNorm),
                new LinearSpec("out_proj", "self_attn.out_proj", Role.OUTPUT, hidden, hidden, bias, 1, "self_attn.v_proj"),
                new LinearSpec("fc1", "fc1", Role.UP, dims.intermediate(), hidden, bias, 2, mlpNorm),
                new LinearSpec("fc2", "fc2", Role.DOWN, hidden, dims.intermediate(), bias, 3, "fc1"));
        TensorNames names = new TensorNames("model.decoder.", "embed_tokens.weight", Optional.of("embed_positions.weight"),
                projected ? Optional.of("project_in.weight") : Optional.empty(),
                projected ? Optional.of("project_out.weight") : Optional.empty(), "final_layer_norm", "lm_head.weight",
                attentionNorm, mlpNorm, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        // OPTAttention: q_proj(x) * head_dim^-0.5 (bias included), the same as scaling the scores
        return new DecoderSpec(dims, new Embedding(1f, width, Optional.of(POSITION_SHIFT)), new Norm(NormKind.LAYER_NORM, 1e-5),
                preNorm ? Layout.PRE_NORM : Layout.POST_NORM, new Attention(false, 1 / Math.sqrt(dims.headDim()), 0, 0), layers,
                new Mlp(false, activation), new Head(preNorm && !removeFinalNorm, 0, tied), names, linears);
    }
}
