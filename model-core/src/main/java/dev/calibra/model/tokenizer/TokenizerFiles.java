package dev.calibra.model.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.ModelPreconditionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
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
    /** Largest token id accepted: ids are Java ints and the vocabulary size (largest id + 1) must be one too. */
    static final int MAX_ID = Integer.MAX_VALUE - 1;
    /** Deepest JSON nesting accepted (real files nest about 5 levels); see {@link #requireSafeForNativeLibrary}. */
    static final int MAX_NESTING = 64;

    /** Reads tokenizer.json (required) and tokenizer_config.json (optional) next to it. */
    public static TokenizerFiles read(Path tokenizerJson) throws IOException {
        JsonNode tokenizer = readJson(tokenizerJson);
        String source = tokenizerJson.getFileName().toString();
        requireSafeForNativeLibrary(tokenizer, source);
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = tokenizer.path("model").path("vocab");
        if (vocab.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> entries = vocab.fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                ids.put(entry.getKey(), id(entry.getValue(), entry.getKey(), source));
            }
        } else if (vocab.isArray()) {
            // Unigram: a list of [piece, score]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        }
        // The library ignores an added token's "id": it takes the token's id in the model vocabulary, or
        // else the next one past the vocabulary and the tokens added before (AddedVocabulary::add_tokens),
        // and only logs a warning when that differs. A file whose ids disagree is refused here, since the
        // ids below would not be the ids encode returns.
        int modelVocabulary = vocab.isArray() ? vocab.size() : ids.size();
        Map<String, Integer> addedIds = new HashMap<>();
        int maxAdded = -1;
        for (JsonNode added : tokenizer.path("added_tokens")) {
            if (!added.path("content").isTextual()) {
                throw new ModelFormatException(source + ": an added_tokens entry has no string 'content'");
            }
            String content = added.get("content").asText();
            int id = id(added.path("id"), content, source);
            Integer given = addedIds.containsKey(content) ? addedIds.get(content) : ids.get(content);
            int expected = given != null ? given
                    : maxAdded < 0 ? modelVocabulary
                    : maxAdded >= modelVocabulary || modelVocabulary == 0 ? maxAdded + 1 : modelVocabulary;
            if (id != expected) {
                throw new ModelFormatException(source + ": added token '" + content + "' has id " + id
                        + " but the tokenizer library gives it id " + expected);
            }
            addedIds.put(content, id);
            maxAdded = Math.max(maxAdded, id);
        }
        ids.putAll(addedIds);
        if (ids.isEmpty()) {
            throw new ModelFormatException(tokenizerJson.getFileName() + " has no model.vocab and no added_tokens");
        }
        // vocabulary size: one past the largest id
        int vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;

        JsonNode config = readConfig(tokenizerJson.toAbsolutePath().getParent());
        int bos = ids.getOrDefault(tokenName(config.path("bos_token"), "<s>"), -1);
        int eos = ids.getOrDefault(tokenName(config.path("eos_token"), "</s>"), -1);
        Optional<Boolean> addBos = config.path("add_bos_token").isBoolean()
                ? Optional.of(config.get("add_bos_token").asBoolean()) : Optional.empty();
        boolean addEos = config.path("add_eos_token").asBoolean(false);
        // encode would otherwise prepend or append id -1
        if (addBos.orElse(false) && bos < 0) {
            throw new ModelFormatException(TOKENIZER_CONFIG_JSON + " sets add_bos_token but its bos_token '"
                    + tokenName(config.path("bos_token"), "<s>") + "' is not in " + source);
        }
        if (addEos && eos < 0) {
            throw new ModelFormatException(TOKENIZER_CONFIG_JSON + " sets add_eos_token but its eos_token '"
                    + tokenName(config.path("eos_token"), "</s>") + "' is not in " + source);
        }
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

    /**
     * Refuses what the HF tokenizers library (0.21.4) cannot refuse itself. Its "decoder" reader panics,
     * which aborts the whole JVM instead of returning an error, on any JSON that serde_json cannot hold as
     * a value: nesting 127 levels deep, a number beyond a 64-bit float (1e400), an unpaired UTF-16
     * surrogate escape ("\ud800"). All three were found by the fuzz tests; they are refused anywhere in
     * the file, since no real tokenizer has them. Walks the tree without recursion. It panics too on a
     * BPE merge whose second part is shorter than continuing_subword_prefix, and at encode time on a
     * TemplateProcessing template naming a special token that its special_tokens map lacks.
     */
    private static void requireSafeForNativeLibrary(JsonNode root, String source) throws ModelFormatException {
        String abort = " (the native tokenizer library would abort the process on it)";
        JsonNode prefix = root.path("model").path("continuing_subword_prefix");
        if (prefix.isTextual() && !prefix.asText().isEmpty()) {
            for (JsonNode merge : root.path("model").path("merges")) {
                // "a b" or ["a", "b"]; the library cuts the prefix off b without looking
                String[] parts = merge.isTextual() ? merge.asText().split(" ", -1) : new String[] {"", merge.path(1).asText()};
                if (parts.length == 2 && !parts[1].startsWith(prefix.asText())) {
                    throw new ModelFormatException(source + ": merge " + merge + " does not continue with the "
                            + "continuing_subword_prefix '" + prefix.asText() + "'" + abort);
                }
            }
        }
        Deque<Map.Entry<JsonNode, Integer>> pending = new ArrayDeque<>();
        pending.push(Map.entry(root, 1));
        while (!pending.isEmpty()) {
            Map.Entry<JsonNode, Integer> next = pending.pop();
            JsonNode node = next.getKey();
            int depth = next.getValue();
            if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
                throw new ModelFormatException(source + " holds the number " + node + ", beyond a 64-bit float" + abort);
            }
            if (node.isTextual() && hasUnpairedSurrogate(node.asText())) {
                throw new ModelFormatException(source + " holds a string with an unpaired surrogate escape" + abort);
            }
            if (node.isContainerNode() && depth > MAX_NESTING) {
                throw new ModelFormatException(source + " nests over " + MAX_NESTING + " levels deep" + abort);
            }
            if (node.path("type").asText().equals("TemplateProcessing")) {
                for (JsonNode piece : node.path("single").findValues("SpecialToken")) {
                    requireSpecialToken(node, piece, source, abort);
                }
                for (JsonNode piece : node.path("pair").findValues("SpecialToken")) {
                    requireSpecialToken(node, piece, source, abort);
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                if (hasUnpairedSurrogate(fields.next().getKey())) {
                    throw new ModelFormatException(source + " has a field name with an unpaired surrogate escape" + abort);
                }
            }
            node.elements().forEachRemaining(child -> pending.push(Map.entry(child, depth + 1)));
        }
    }

    private static void requireSpecialToken(JsonNode template, JsonNode piece, String source, String abort)
            throws ModelFormatException {
        if (piece.path("id").isTextual() && !template.path("special_tokens").has(piece.get("id").asText())) {
            throw new ModelFormatException(source + ": the post_processor template names special token "
                    + piece.get("id") + ", which its special_tokens lack" + abort);
        }
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static int id(JsonNode node, String token, String source) throws ModelFormatException {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() > MAX_ID) {
            throw new ModelFormatException(source + ": token '" + token + "' has id " + node
                    + ", not an integer in 0.." + MAX_ID);
        }
        return node.asInt();
    }

    /** tokenizer_config.json of a folder (an empty object when the folder has none), strictly decoded. */
    public static JsonNode readConfig(Path folder) throws IOException {
        Path configPath = folder.resolve(TOKENIZER_CONFIG_JSON);
        return Files.exists(configPath) ? readJson(configPath) : JSON.createObjectNode();
    }

    /**
     * The special tokens a chat template is rendered with, as transformers passes them (bos_token,
     * eos_token, ...): each a string, or an AddedToken object's content; absent and null ones left out.
     */
    public static Map<String, String> specialTokens(JsonNode config) {
        Map<String, String> tokens = new java.util.TreeMap<>();
        for (String name : java.util.List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                "mask_token")) {
            String token = tokenName(config.path(name), null);
            if (token != null) {
                tokens.put(name, token);
            }
        }
        return tokens;
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("missing " + path.getFileName() + " (" + path + ")", e);
        }
        // decoded here, strictly: given bytes, Jackson would guess UTF-16/32 and fail with a bare IOException
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(path.getFileName() + " is not UTF-8 (byte offset " + in.position() + ")", e);
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(path.getFileName() + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(path.getFileName() + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
