package dev.calibra.calibration.statistics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The word 13-grams of the texts Calibra evaluates on, for contamination checks: every string value of
 * every line of the task files (assets/tasks/*.jsonl; every cell of *.tsv) and the held-out perplexity
 * text assets/corpora/wikitext2_raw_test.txt. Which files were read is kept in {@link #sources()}.
 */
public final class EvaluationTexts {

    public static final String HELD_OUT_TEXT = "corpora/wikitext2_raw_test.txt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LongHashSet ngrams;
    private final List<String> sources;

    private EvaluationTexts(LongHashSet ngrams, List<String> sources) {
        this.ngrams = ngrams;
        this.sources = List.copyOf(sources);
    }

    /** Nothing to compare against (no assets folder). */
    public static EvaluationTexts none() {
        return new EvaluationTexts(new LongHashSet(), List.of());
    }

    /** Reads the task files and held-out text under an assets folder (missing ones are skipped). */
    public static EvaluationTexts load(Path assets) throws IOException {
        LongHashSet ngrams = new LongHashSet();
        List<String> sources = new ArrayList<>();
        Path tasks = assets.resolve("tasks");
        if (Files.isDirectory(tasks)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(tasks)) {
                files = list.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".jsonl")) {
                    readJsonl(file, ngrams);
                } else if (name.endsWith(".tsv")) {
                    readLines(file, ngrams);
                } else {
                    continue;
                }
                sources.add("tasks/" + name);
            }
        }
        Path heldOut = assets.resolve(HELD_OUT_TEXT);
        if (Files.isRegularFile(heldOut)) {
            readLines(heldOut, ngrams);
            sources.add(HELD_OUT_TEXT);
        }
        return new EvaluationTexts(ngrams, sources);
    }

    public List<String> sources() {
        return sources;
    }

    public boolean contains(long ngramHash) {
        return ngrams.contains(ngramHash);
    }

    private static void readJsonl(Path file, LongHashSet ngrams) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    StringBuilder text = new StringBuilder();
                    strings(JSON.readTree(line), text);
                    WordNgrams.forEach(text.toString(), ngrams::add);
                }
            }
        }
    }

    /** Every string in a JSON value, in order, separated by newlines. */
    private static void strings(JsonNode node, StringBuilder out) {
        if (node.isTextual()) {
            out.append(node.asText()).append('\n');
        } else if (node.isContainerNode()) {
            node.elements().forEachRemaining(child -> strings(child, out));
        }
    }

    private static void readLines(Path file, LongHashSet ngrams) throws IOException {
        // Paragraph-sized pieces: a 13-gram may span lines of one paragraph.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            StringBuilder paragraph = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                paragraph.append(line).append('\n');
                if (line.isBlank() || paragraph.length() > 100_000) {
                    WordNgrams.forEach(paragraph.toString(), ngrams::add);
                    paragraph.setLength(0);
                }
            }
            WordNgrams.forEach(paragraph.toString(), ngrams::add);
        }
    }
}
