package dev.calibra.evaluation.perplexity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.chat.ChatTemplate;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A registered corpus's documents under its document rule ("blank-lines", "lines", "whole", "jsonl:<field>",
 * "chat:<field>"). A chat corpus's conversation reads as its messages' contents joined by blank lines, as
 * calibration-service reads it for the text strategies (no roles, no template).
 */
public final class CorpusDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MESSAGE = new TypeReference<>() {};

    /** The most text a perplexity corpus may hold once decompressed (a gzip bomb would otherwise fill the heap). */
    public static final long MAX_TEXT_BYTES = 256L << 20;

    private CorpusDocuments() {}

    public static List<String> read(Path source, String rule) throws IOException {
        return read(source, rule, MAX_TEXT_BYTES);
    }

    static List<String> read(Path source, String rule, long maxBytes) throws IOException {
        boolean gzipped = source.toString().endsWith(".gz");
        // measured by streaming first, so a gzip bomb is refused without ever being held in memory
        if ((gzipped ? decompressedSize(source, maxBytes) : Files.size(source)) > maxBytes) {
            throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "corpus " + source + " holds more than "
                    + maxBytes + " bytes of text" + (gzipped ? " once decompressed" : "") + "; perplexity reads at most that much");
        }
        String text;
        try (InputStream in = gzipped ? new GZIPInputStream(Files.newInputStream(source)) : Files.newInputStream(source)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "corpus " + source + " grew past "
                        + maxBytes + " bytes while it was read");
            }
            text = TextFiles.normalizeNewlines(new String(bytes, StandardCharsets.UTF_8));
        }
        if (rule.startsWith("jsonl:")) {
            return jsonl(text, rule.substring("jsonl:".length()), source, false);
        }
        if (rule.startsWith("chat:")) {
            return jsonl(text, rule.substring("chat:".length()), source, true);
        }
        return switch (rule) {
            case "whole" -> List.of(text);
            case "lines" -> Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).toList();
            case "blank-lines" -> Arrays.stream(text.split("\n[ \t]*\n")).map(String::strip).filter(doc -> !doc.isEmpty()).toList();
            default -> throw new IllegalArgumentException("corpus " + source + ": unknown document rule '" + rule
                    + "'; known: blank-lines, lines, whole, jsonl:<field>, chat:<field>");
        };
    }

    /** Bytes a gzip file decompresses to, counted up to just past {@code limit}. */
    private static long decompressedSize(Path source, long limit) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source), 1 << 16)) {
            for (int read; total <= limit && (read = in.read(buffer)) >= 0; ) {
                total += read;
            }
        }
        return total;
    }

    private static List<String> jsonl(String text, String field, Path source, boolean chat) {
        List<String> documents = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                JsonNode value = JSON.readTree(lines[i]).get(field);
                if (chat) {
                    documents.add(conversationText(value, source + " line " + (i + 1), field));
                    continue;
                }
                if (value == null || !value.isTextual()) {
                    throw new IllegalArgumentException(source + " line " + (i + 1) + ": field '" + field + "' must be a string");
                }
                documents.add(value.asText());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
        }
        return documents;
    }

    private static String conversationText(JsonNode messages, String where, String field) {
        if (messages == null || !messages.isArray()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a list of messages");
        }
        List<Map<String, Object>> conversation = new ArrayList<>();
        for (JsonNode message : messages) {
            // only the contents are read; a message that is not an object has none
            conversation.add(message.isObject() ? JSON.convertValue(message, MESSAGE) : Map.of());
        }
        return ChatTemplate.withoutTemplate(conversation);
    }
}
