package dev.calibra.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.family.Families;
import dev.calibra.model.family.ModelFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads config.json through the family its architecture names; what Calibra cannot compute exactly is refused. */
public final class ModelConfigs {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Fields that change the arithmetic in some family, each with the value that changes nothing. A config
     * whose family does not read such a field and gives it another value is refused: it most likely comes
     * from a model whose numbers the family's forward would get wrong.
     */
    private static final Map<String, Predicate<JsonNode>> ARITHMETIC_FIELDS = arithmeticFields();

    private ModelConfigs() {}

    private static Map<String, Predicate<JsonNode>> arithmeticFields() {
        Predicate<JsonNode> nullOrFalse = node -> node.isNull() || (node.isBoolean() && !node.asBoolean());
        Predicate<JsonNode> nullOrOne = node -> node.isNull() || (node.isNumber() && node.asDouble() == 1.0);
        Map<String, Predicate<JsonNode>> fields = new LinkedHashMap<>();
        for (String field : List.of("attn_logit_softcapping", "final_logit_softcapping", "query_pre_attn_scalar",
                "sliding_window", "layer_types", "sliding_window_pattern", "rope_local_base_freq", "rope_scaling",
                "rope_parameters", "attention_chunk_size", "no_rope_layers", "num_experts", "num_local_experts",
                "moe_intermediate_size", "clip_qkv", "word_embed_proj_dim")) {
            fields.put(field, nullOrFalse);
        }
        for (String field : List.of("qk_layernorm", "use_qk_norm", "use_sliding_window", "rope_interleaved",
                "_remove_final_layer_norm", "use_bidirectional_attention")) {
            fields.put(field, nullOrFalse);
        }
        for (String field : List.of("partial_rotary_factor", "logit_scale", "embedding_multiplier", "residual_multiplier",
                "attention_multiplier", "logits_scaling")) {
            fields.put(field, nullOrOne);
        }
        fields.put("pretraining_tp", nullOrOne);
        return Collections.unmodifiableMap(fields);
    }

    /** Reads a config.json file; bad JSON, a missing field, an unsupported architecture or feature are refused. */
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
        if (!architectures.isArray() || architectures.isEmpty() || !architectures.get(0).isTextual()) {
            throw new ModelFormatException(source + " has no 'architectures' list; supported: " + Families.supportedArchitectures());
        }
        String architecture = architectures.get(0).asText();
        ModelFamily family = Families.forArchitecture(architecture)
                .orElseThrow(() -> new ModelFormatException(source + ": unsupported architecture '" + architecture
                        + "'; supported: " + Families.supportedArchitectures()));
        ConfigFields fields = new ConfigFields(root, source);
        fields.node("architectures");
        DecoderSpec decoder;
        try {
            decoder = family.read(architecture, fields);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
        int bos = fields.optionalInt("bos_token_id", 1);
        List<Integer> eos = eosIds(fields);
        String dtype = fields.optionalString("torch_dtype", fields.optionalString("dtype", "float32"));
        Optional<Map<String, Object>> quantization = quantization(fields.node("quantization_config"));
        refuseUnreadArithmetic(root, fields, family, architecture);
        return new ModelConfig(architecture, family, decoder, bos, eos, dtype, quantization, fields.read(), fields.fields());
    }

    /** A field that changes the numbers somewhere but that this family does not read: refused when it would matter. */
    private static void refuseUnreadArithmetic(JsonNode root, ConfigFields fields, ModelFamily family, String architecture)
            throws ModelFormatException {
        for (Map.Entry<String, Predicate<JsonNode>> field : ARITHMETIC_FIELDS.entrySet()) {
            JsonNode value = root.get(field.getKey());
            if (value != null && !fields.read().contains(field.getKey()) && !field.getValue().test(value)) {
                throw fields.refuse(field.getKey(), "changes the arithmetic in other families, and Calibra's " + family.name()
                        + " family (" + architecture + ") does not implement it; refusing rather than computing other numbers");
            }
        }
    }

    /** eos_token_id is an integer or (Llama 3) a list of integers. */
    private static List<Integer> eosIds(ConfigFields fields) {
        List<Integer> ids = new ArrayList<>();
        fields.node("eos_token_id").ifPresent(node -> {
            if (node.isArray()) {
                node.forEach(id -> ids.add(id.asInt()));
            } else if (node.canConvertToInt()) {
                ids.add(node.asInt());
            }
        });
        return ids.isEmpty() ? List.of(2) : ids;
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> quantization(Optional<JsonNode> node) {
        if (node.isEmpty() || !node.get().isObject()) {
            return Optional.empty();
        }
        return Optional.of(Collections.unmodifiableMap(new LinkedHashMap<String, Object>(JSON.convertValue(node.get(), Map.class))));
    }
}
