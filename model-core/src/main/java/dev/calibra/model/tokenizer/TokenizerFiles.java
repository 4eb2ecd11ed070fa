package dev.calibra.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.ModelPreconditionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * What Calibra needs from tokenizer.json and tokenizer_config.json without loading the native
 * tokenizer: vocabulary size, special token ids, and the add_bos_token / add_eos_token flags.
 */
public record TokenizerFiles(int vocabSize, int bosId, int eosId, Optional<Boolean> addBosToken, boolean addEosToken) {

    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads tokenizer.json (required) and tokenizer_config.json (optional) next to it. */
    public static TokenizerFiles read(Path tokenizerJson) throws IOException {
        JsonNode tokenizer = readJson(tokenizerJson);
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = tokenizer.path("model").path("vocab");
        if (vocab.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> entries = vocab.fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                ids.put(entry.getKey(), entry.getValue().asInt());
            }
        } else if (vocab.isArray()) {
            // Unigram: a list of [piece, score]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        }
        for (JsonNode added : tokenizer.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
        }
        if (ids.isEmpty()) {
            throw new ModelFormatException(tokenizerJson.getFileName() + " has no model.vocab and no added_tokens");
        }
        // vocabulary size: one past the largest id
        int vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;

        Path configPath = tokenizerJson.resolveSibling(TOKENIZER_CONFIG_JSON);
        JsonNode config = Files.exists(configPath) ? readJson(configPath) : JSON.createObjectNode();
        int bos = ids.getOrDefault(tokenName(config.path("bos_token"), "<s>"), -1);
        int eos = ids.getOrDefault(tokenName(config.path("eos_token"), "</s>"), -1);
        Optional<Boolean> addBos = config.path("add_bos_token").isBoolean()
                ? Optional.of(config.get("add_bos_token").asBoolean()) : Optional.empty();
        boolean addEos = config.path("add_eos_token").asBoolean(false);
        return new TokenizerFiles(vocabSize, bos, eos, addBos, addEos);
    }

    /** Refuses a tokenizer whose ids do not fit the model's embedding (FAILED_PRECONDITION). */
    public void requireMatchesModel(int modelVocabSize) {
        if (!vocabularyMatches(vocabSize, modelVocabSize)) {
            throw new ModelPreconditionException("tokenizer vocabulary size " + vocabSize
                    + " does not match the model's vocab_size " + modelVocabSize);
        }
    }

    /**
     * Equal sizes match. A model embedding padded past the tokenizer (as Qwen2 pads 151,665 to 151,936)
     * also matches when the padding is under 1% of the embedding rows; a tokenizer larger than the
     * embedding never does (its ids would index past the embedding).
     */
    static boolean vocabularyMatches(int tokenizerVocab, int modelVocab) {
        if (tokenizerVocab > modelVocab) {
            return false;
        }
        return (modelVocab - tokenizerVocab) * 100L < modelVocab;
    }

    private static String tokenName(JsonNode node, String fallback) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").asText();
        }
        return fallback;
    }

    private static JsonNode readJson(Path path) throws IOException {
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(path));
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(path.getFileName() + " is not a JSON object");
            }
            return node;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelFormatException("missing " + path.getFileName() + " (" + path + ")", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelFormatException(path.getFileName() + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
