package dev.calibra.model.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.TestData;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.RopeSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelConfigsTest {

    private static ModelConfig parse(String json) throws IOException {
        return ModelConfigs.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void read_stories260K_givesLlamaShapes() throws IOException {
        ModelConfig config = ModelConfigs.read(TestData.stories260K().resolve("config.json"));
        DecoderSpec d = config.decoder();
        assertEquals("LlamaForCausalLM", config.architecture());
        assertEquals("llama", config.family().name());
        assertEquals(64, d.dims().hidden());
        assertEquals(172, d.dims().intermediate());
        assertEquals(5, d.dims().layers());
        assertEquals(8, d.dims().heads());
        assertEquals(4, d.dims().kvHeads());
        assertEquals(8, d.dims().headDim());
        assertEquals(2, d.dims().groupSize());
        assertEquals(512, d.dims().vocab());
        assertEquals(1e-5, d.norm().eps());
        RopeSpec.Frequencies rope = d.layers().get(0).rope().orElseThrow().at(64);
        assertEquals(1.0, rope.inverse()[0]);
        assertEquals(1 / Math.pow(10000.0, 6.0 / 8), rope.inverse()[3], 1e-15);
        assertEquals(1, config.bosTokenId());
        assertEquals(List.of(2), config.eosTokenIds());
        assertEquals("float32", config.torchDtype());
        assertFalse(d.head().tied());
        assertFalse(d.linear("q_proj").bias());
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                d.linears().stream().map(LinearSpec::name).toList());
        assertEquals(Optional.empty(), config.quantizationConfig());
    }

    @Test
    void parse_missingKvHeadsAndHeadDim_defaultToHeadsAndHiddenOverHeads() throws IOException {
        DecoderSpec config = parse("{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":4096,"
                + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"vocab_size\":32000,"
                + "\"eos_token_id\":[2,32000]}").decoder();
        assertEquals(32, config.dims().kvHeads());
        assertEquals(128, config.dims().headDim());
        assertFalse(config.layers().get(0).sliding(), "no sliding_window: full attention");
    }

    @Test
    void parse_qwen2_hasQkvBiasButNoOutputBias() throws IOException {
        ModelConfig config = parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":896,"
                + "\"intermediate_size\":4864,\"num_hidden_layers\":24,\"num_attention_heads\":14,"
                + "\"num_key_value_heads\":2,\"vocab_size\":151936,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\"}");
        assertTrue(config.decoder().linear("q_proj").bias());
        assertTrue(config.decoder().linear("v_proj").bias());
        assertFalse(config.decoder().linear("o_proj").bias());
        assertTrue(config.decoder().head().tied());
        assertEquals("bfloat16", config.torchDtype());
    }

    @Test
    void parse_quantizationConfig_keptAsPlainValues() throws IOException {
        ModelConfig config = parse("{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":172,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":8,\"vocab_size\":512,"
                + "\"quantization_config\":{\"quant_method\":\"gptq\",\"bits\":4,\"group_size\":128,\"desc_act\":false}}");
        Map<String, Object> quantization = config.quantizationConfig().orElseThrow();
        assertEquals("gptq", quantization.get("quant_method"));
        assertEquals(4, quantization.get("bits"));
    }

    @Test
    void parse_unsupportedArchitecture_namesItAndListsSupported() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> parse("{\"architectures\":[\"GPTNeoXForCausalLM\"],\"hidden_size\":64}"));
        assertEquals("config.json: unsupported architecture 'GPTNeoXForCausalLM'; supported: LlamaForCausalLM, "
                + "MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM, "
                + "Phi3ForCausalLM, OPTForCausalLM", e.getMessage());
    }

    @Test
    void parse_missingHiddenSize_namesField() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> parse("{\"architectures\":[\"LlamaForCausalLM\"],\"num_attention_heads\":8}"));
        assertTrue(e.getMessage().contains("'hidden_size'"), e.getMessage());
    }

    private static final String LLAMA = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":172,"
            + "\"num_hidden_layers\":1,\"num_attention_heads\":8,\"vocab_size\":512";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rope_scaling | ,\"rope_scaling\":{\"rope_type\":\"made_up\",\"factor\":2.0} | rope_type 'made_up'",
        "rope_parameters | ,\"rope_parameters\":{\"rope_type\":\"made_up\"} | rope_type 'made_up'",
        "rope_scaling | ,\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":2.0,\"extrapolation\":1} | key 'extrapolation'",
        "final_logit_softcapping | ,\"final_logit_softcapping\":30.0 | does not implement it",
        "attn_logit_softcapping | ,\"attn_logit_softcapping\":50.0 | does not implement it",
        "sliding_window | ,\"sliding_window\":4096 | does not implement it",
        "partial_rotary_factor | ,\"partial_rotary_factor\":0.5 | does not implement it",
        "hidden_act | ,\"hidden_act\":\"xielu\" | activation 'xielu'",
        "query_pre_attn_scalar | ,\"query_pre_attn_scalar\":256 | does not implement it",
    })
    void parse_fieldThatChangesTheArithmeticAndIsNotImplemented_isRefusedNamingIt(String field, String extra, String why) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> parse(LLAMA + extra + "}"));
        assertTrue(e.getMessage().contains("field '" + field + "'") && e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void parse_fieldsTransformersIgnoresOrThatChangeNothing_areAccepted() throws IOException {
        // SmolLM2's nanotron leftovers, v4's neutral values, a Qwen2 window switched off
        parse(LLAMA + ",\"rope_interleaved\":false,\"is_llama_config\":true,\"pretraining_tp\":1,\"rope_scaling\":null,"
                + "\"final_logit_softcapping\":null}");
        DecoderSpec qwen2 = parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":512,\"use_sliding_window\":false,"
                + "\"sliding_window\":32768,\"max_window_layers\":1}").decoder();
        assertFalse(qwen2.layers().get(1).sliding());
    }

    @Test
    void parse_v4RopeScalingWinsOverV5RopeParameters_andThetaComesFromTheEntry() throws IOException {
        DecoderSpec both = parse(LLAMA + ",\"rope_theta\":1000.0,\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":2.0},"
                + "\"rope_parameters\":{\"rope_type\":\"linear\",\"factor\":8.0,\"rope_theta\":9.0}}").decoder();
        assertEquals(1 / 2.0, both.layers().get(0).rope().orElseThrow().at(1).inverse()[0], 1e-15, "rope_scaling, theta 1000");
        DecoderSpec v5 = parse(LLAMA + ",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":500000.0}}").decoder();
        assertEquals(1 / Math.pow(500000.0, 2.0 / 8), v5.layers().get(0).rope().orElseThrow().at(1).inverse()[1], 1e-15);
    }

    @Test
    void parse_gemma3_v5LayerTypesAndPerTypeRope_matchTheV4Pattern() throws IOException {
        String common = "{\"architectures\":[\"Gemma3ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":96,"
                + "\"num_hidden_layers\":4,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":16,"
                + "\"vocab_size\":512,\"sliding_window\":16,";
        DecoderSpec v5 = parse(common + "\"layer_types\":[\"sliding_attention\",\"sliding_attention\",\"full_attention\","
                + "\"sliding_attention\"],\"rope_parameters\":{\"full_attention\":{\"rope_type\":\"linear\",\"factor\":8.0,"
                + "\"rope_theta\":1000000.0},\"sliding_attention\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}}").decoder();
        DecoderSpec v4 = parse(common + "\"sliding_window_pattern\":3,\"rope_theta\":1000000.0,\"rope_local_base_freq\":10000.0,"
                + "\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":8.0}}").decoder();
        for (int layer = 0; layer < 4; layer++) {
            assertEquals(layer == 2, !v5.layers().get(layer).sliding(), "layer " + layer);
            assertEquals(v5.layers().get(layer).sliding(), v4.layers().get(layer).sliding(), "layer " + layer);
            assertArrayEquals(v5.layers().get(layer).rope().orElseThrow().at(1).inverse(),
                    v4.layers().get(layer).rope().orElseThrow().at(1).inverse(), 1e-18, "layer " + layer);
        }
    }

    @Test
    void parse_headsNotMultipleOfKvHeads_refused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> parse("{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":172,"
                        + "\"num_hidden_layers\":1,\"num_attention_heads\":8,\"num_key_value_heads\":3,\"vocab_size\":512}"));
        assertTrue(e.getMessage().contains("num_key_value_heads 3"), e.getMessage());
    }
}
