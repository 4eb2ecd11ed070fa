package dev.calibra.evaluation.perplexity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.tokenizer.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** A registered corpus's documents under its document rule ("blank-lines", "lines", "whole", "jsonl:<field>"). */
public final class CorpusDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CorpusDocuments() {}

    public static List<String> read(Path source, String rule) throws IOException {
        String text;
        try (InputStream in = source.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(source)) : Files.newInputStream(source)) {
            text = TextFiles.normalizeNewlines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        if (rule.startsWith("jsonl:")) {
            return jsonl(text, rule.substring("jsonl:".length()), source);
        }
        return switch (rule) {
            case "whole" -> List.of(text);
            case "lines" -> Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).toList();
            case "blank-lines" -> Arrays.stream(text.split("\n[ \t]*\n")).map(String::strip).filter(doc -> !doc.isEmpty()).toList();
            default -> throw new IllegalArgumentException("corpus " + source + ": unknown document rule '" + rule
                    + "'; known: blank-lines, lines, whole, jsonl:<field>");
        };
    }

    private static List<String> jsonl(String text, String field, Path source) {
        List<String> documents = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                JsonNode value = JSON.readTree(lines[i]).get(field);
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
}
