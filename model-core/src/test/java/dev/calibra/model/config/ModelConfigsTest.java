package dev.calibra.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.TestData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelConfigsTest {

    private static ModelConfig parse(String json) throws IOException {
        return ModelConfigs.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void read_stories260K_givesLlamaShapes() throws IOException {
        LlamaConfig config = (LlamaConfig) ModelConfigs.read(TestData.stories260K().resolve("config.json"));
        assertEquals(Architecture.LLAMA_FOR_CAUSAL_LM, config.architecture());
        assertEquals(BlockFamily.LLAMA, config.family());
        assertEquals(64, config.hiddenSize());
        assertEquals(172, config.intermediateSize());
        assertEquals(5, config.numHiddenLayers());
        assertEquals(8, config.numAttentionHeads());
        assertEquals(4, config.numKeyValueHeads());
        assertEquals(8, config.headDim());
        assertEquals(2, config.groupSize());
        assertEquals(512, config.vocabSize());
        assertEquals(1e-5, config.rmsNormEps());
        assertEquals(10000.0, config.ropeTheta());
        assertEquals(1, config.bosTokenId());
        assertEquals(List.of(2), config.eosTokenIds());
        assertEquals("float32", config.torchDtype());
        assertFalse(config.tieWordEmbeddings());
        assertFalse(config.qkvBias());
        assertEquals(Optional.empty(), config.quantizationConfig());
    }

    @Test
    void parse_missingKvHeadsAndHeadDim_defaultToHeadsAndHiddenOverHeads() throws IOException {
        LlamaConfig config = (LlamaConfig) parse("{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":4096,"
                + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"vocab_size\":32000,"
                + "\"eos_token_id\":[2,32000]}");
        assertEquals(32, config.numKeyValueHeads());
        assertEquals(128, config.headDim());
        assertEquals(List.of(2, 32000), config.eosTokenIds());
    }

    @Test
    void parse_qwen2_hasQkvBiasButNoOutputBias() throws IOException {
        LlamaConfig config = (LlamaConfig) parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":896,"
                + "\"intermediate_size\":4864,\"num_hidden_layers\":24,\"num_attention_heads\":14,"
                + "\"num_key_value_heads\":2,\"vocab_size\":151936,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\"}");
        assertTrue(config.qkvBias());
        assertFalse(config.outputBias());
        assertTrue(config.tieWordEmbeddings());
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
                + "MistralForCausalLM, Qwen2ForCausalLM", e.getMessage());
    }

    @Test
    void parse_missingHiddenSize_namesField() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> parse("{\"architectures\":[\"LlamaForCausalLM\"],\"num_attention_heads\":8}"));
        assertTrue(e.getMessage().contains("'hidden_size'"), e.getMessage());
    }

    @Test
    void parse_headsNotMultipleOfKvHeads_refused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> parse("{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":172,"
                        + "\"num_hidden_layers\":1,\"num_attention_heads\":8,\"num_key_value_heads\":3,\"vocab_size\":512}"));
        assertTrue(e.getMessage().contains("num_key_value_heads 3"), e.getMessage());
    }
}
