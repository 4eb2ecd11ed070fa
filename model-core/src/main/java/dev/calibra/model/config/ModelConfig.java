package dev.calibra.model.config;

import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.family.ModelFamily;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's config.json as Calibra understood it: the family that reads it, the decoder it describes, and
 * the fields every family shares.
 *
 * @param architecture       the HF architecture name, e.g. "Qwen3ForCausalLM"
 * @param decoder            everything the forward pass computes
 * @param bosTokenId         bos_token_id
 * @param eosTokenIds        eos_token_id (an integer or, as Llama 3 writes it, a list)
 * @param torchDtype         torch_dtype (v5: dtype), "float32" when absent
 * @param quantizationConfig the quantization_config object as plain JSON values, when the model is quantized
 * @param fieldsRead         the config.json fields Calibra read, in reading order
 * @param fieldsGiven        every field of config.json
 */
public record ModelConfig(String architecture, ModelFamily family, DecoderSpec decoder, int bosTokenId,
        List<Integer> eosTokenIds, String torchDtype, Optional<Map<String, Object>> quantizationConfig,
        List<String> fieldsRead, List<String> fieldsGiven) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        fieldsRead = List.copyOf(fieldsRead);
        fieldsGiven = List.copyOf(fieldsGiven);
    }

    public ModelConfig withDecoder(DecoderSpec other) {
        return new ModelConfig(architecture, family, other, bosTokenId, eosTokenIds, torchDtype, quantizationConfig, fieldsRead,
                fieldsGiven);
    }

    public int hiddenSize() {
        return decoder.dims().hidden();
    }

    public int numHiddenLayers() {
        return decoder.dims().layers();
    }

    public int vocabSize() {
        return decoder.dims().vocab();
    }

    public int maxPositionEmbeddings() {
        return decoder.dims().maxPositions();
    }
}
