package dev.calibra.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads config.json into the {@link ModelConfig} of its block family. */
public final class ModelConfigs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelConfigs() {}

    /** Reads a config.json file; bad JSON, a missing field or an unsupported architecture are refused. */
    public static ModelConfig read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson.getFileName() + " is not valid JSON: " + e.getMessage(), e);
        }
        return parse(root, configJson.getFileName().toString());
    }

    /** Parses a config.json tree; {@code source} names it in error messages. */
    public static ModelConfig parse(JsonNode root, String source) throws ModelFormatException {
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(source + " is not a JSON object");
        }
        JsonNode architectures = root.path("architectures");
        if (!architectures.isArray() || architectures.isEmpty()) {
            throw new ModelFormatException(source + " has no 'architectures' list; supported: "
                    + Architecture.supportedNames());
        }
        Architecture architecture;
        try {
            architecture = Architecture.fromHfName(architectures.get(0).asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
        try {
            return switch (architecture.family()) {
                case LLAMA -> llama(root, architecture, source);
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
    }

    private static LlamaConfig llama(JsonNode root, Architecture architecture, String source)
            throws ModelFormatException {
        int hidden = requiredInt(root, "hidden_size", source);
        int heads = requiredInt(root, "num_attention_heads", source);
        return new LlamaConfig(
                architecture,
                hidden,
                requiredInt(root, "intermediate_size", source),
                requiredInt(root, "num_hidden_layers", source),
                heads,
                optionalInt(root, "num_key_value_heads", heads),
                optionalInt(root, "head_dim", hidden / heads),
                requiredInt(root, "vocab_size", source),
                optionalInt(root, "max_position_embeddings", 2048),
                root.path("rms_norm_eps").asDouble(1e-6),
                root.path("rope_theta").asDouble(10000.0),
                root.path("tie_word_embeddings").asBoolean(false),
                root.path("attention_bias").asBoolean(false),
                root.path("mlp_bias").asBoolean(false),
                optionalInt(root, "bos_token_id", 1),
                eosIds(root.path("eos_token_id")),
                root.path("torch_dtype").asText("float32"),
                quantization(root.path("quantization_config")));
    }

    private static int requiredInt(JsonNode root, String field, String source) throws ModelFormatException {
        JsonNode node = root.path(field);
        if (!node.canConvertToInt()) {
            throw new ModelFormatException(source + ": field '" + field + "' is missing or not an integer");
        }
        return node.asInt();
    }

    private static int optionalInt(JsonNode root, String field, int fallback) {
        JsonNode node = root.path(field);
        return node.canConvertToInt() ? node.asInt() : fallback;
    }

    /** eos_token_id is an integer or (Llama 3) a list of integers. */
    private static List<Integer> eosIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(id -> ids.add(id.asInt()));
        } else if (node.canConvertToInt()) {
            ids.add(node.asInt());
        }
        return ids.isEmpty() ? List.of(2) : ids;
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> quantization(JsonNode node) {
        if (!node.isObject()) {
            return Optional.empty();
        }
        return Optional.of(java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<String, Object>(JSON.convertValue(node, Map.class))));
    }
}
