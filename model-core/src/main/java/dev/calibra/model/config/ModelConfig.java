package dev.calibra.model.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A model's config.json, one record per block family. */
public sealed interface ModelConfig permits LlamaConfig {

    Architecture architecture();

    default BlockFamily family() {
        return architecture().family();
    }

    int hiddenSize();

    int numHiddenLayers();

    int vocabSize();

    int maxPositionEmbeddings();

    int bosTokenId();

    List<Integer> eosTokenIds();

    /** config.json {@code torch_dtype} ("float32", "bfloat16", ...), or "float32" when absent. */
    String torchDtype();

    /** The {@code quantization_config} object as plain JSON values, when the model is quantized. */
    Optional<Map<String, Object>> quantizationConfig();
}
