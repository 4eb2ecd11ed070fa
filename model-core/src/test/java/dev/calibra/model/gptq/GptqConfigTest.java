package dev.calibra.model.gptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GptqConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void skipRegex_isPythonSyntax_andMatchesTheModuleInEveryBlockOnly() {
        String regex = GptqConfig.skipRegex("model.decoder.layers.", "mlp.down_proj");
        assertEquals("model\\.decoder\\.layers\\.\\d+\\.mlp\\.down_proj$", regex);
        Pattern pattern = Pattern.compile(regex);
        assertTrue(pattern.matcher("model.decoder.layers.0.mlp.down_proj").lookingAt());
        assertTrue(pattern.matcher("model.decoder.layers.27.mlp.down_proj").matches());
        assertFalse(pattern.matcher("model.decoder.layers.0.mlp.down_proj2").lookingAt());
        assertFalse(pattern.matcher("model.decoderXlayers.0.mlp.down_proj").lookingAt(), "dots are literal");
        assertFalse(pattern.matcher("model.decoder.layers.0.mlp.up_proj").lookingAt());
    }

    @Test
    void writeTo_thenOf_keepsTheGridAndTheSkips() throws ModelFormatException {
        GptqConfig written = GptqConfig.of(3, 128, true, true, List.of("self_attn.q_proj"), "model.layers.",
                List.of("mlp.gate_proj", "mlp.down_proj"));
        ObjectNode config = JSON.createObjectNode();
        written.writeTo(config);
        assertEquals("{\"-:model\\\\.layers\\\\.\\\\d+\\\\.mlp\\\\.gate_proj$\":{},"
                + "\"-:model\\\\.layers\\\\.\\\\d+\\\\.mlp\\\\.down_proj$\":{}}", config.get("quantization_config").get("dynamic").toString());
        assertEquals(written, GptqConfig.of(config));
    }

    @Test
    void nothingSkipped_writesNoDynamicKey() {
        ObjectNode config = JSON.createObjectNode();
        GptqConfig.of(4, 128, false, true, List.of("mlp.down_proj"), "model.layers.", List.of()).writeTo(config);
        assertFalse(config.get("quantization_config").has("dynamic"), "vLLM reads a present key as the mapping: " + config);
    }

    @Test
    void positiveDynamicOverride_isRefusedByName() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4,"
                + " \"group_size\": 128, \"dynamic\": {\"+:.*down_proj\": {\"bits\": 8}}}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GptqConfig.of(config));
        assertTrue(e.getMessage().contains("dynamic['+:.*down_proj']"), e.getMessage());
    }

    @Test
    void legacyDenseModulesKey_isReadAsSkips() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4,"
                + " \"group_size\": -1, \"calibra_dense_modules\": [\"mlp.up_proj\"]}}");
        List<String> skipped = GptqConfig.of(config).skipped();
        assertEquals(1, skipped.size());
        assertTrue(Pattern.compile(skipped.get(0)).matcher("model.layers.3.mlp.up_proj").lookingAt(), skipped.toString());
    }
}
