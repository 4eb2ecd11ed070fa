package dev.calibra.evaluation.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads a task file into {@link Example}s, the first {@code limit} in file order (0 = all). Every bad row
 * is an {@link IllegalArgumentException} naming the file and the 1-based line.
 */
public final class TaskReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaskSpec spec;
    private final Path file;

    public TaskReader(TaskSpec spec, Path assets) {
        this.spec = spec;
        this.file = assets.resolve(spec.file());
    }

    public List<Example> read(int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + " (task " + spec.name() + ")");
        }
        List<Example> examples = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null && (limit == 0 || examples.size() < limit)) {
                number++;
                if (line.isBlank() || (spec.kind() == TaskKind.RTE && number == 1)) {
                    continue;  // blank lines, and the TSV header
                }
                examples.add(parse(line, number));
            }
        } catch (CharacterCodingException e) {
            throw notUtf8();
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no examples (task " + spec.name() + ")");
        }
        return Collections.unmodifiableList(examples);
    }

    /** Number of examples in the whole file (ListTasks); rows are counted, not validated. */
    public int count() throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            long rows = lines.filter(line -> !line.isBlank()).count();
            return (int) (spec.kind() == TaskKind.RTE ? rows - 1 : rows);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw notUtf8();
            }
            throw e;
        }
    }

    /**
     * The refusal of a file that is not UTF-8, naming the first bad line. The reader decodes ahead in
     * blocks, so the line it was on when decoding failed may be an earlier one: this rescans (error path only).
     */
    private IllegalArgumentException notUtf8() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        int number = 1;
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n' || bytes[i] == '\r') {
                try {
                    decoder.decode(ByteBuffer.wrap(bytes, start, i - start));
                } catch (CharacterCodingException e) {
                    break;
                }
                boolean crlf = i + 1 < bytes.length && bytes[i] == '\r' && bytes[i + 1] == '\n';
                start = crlf ? i + 2 : i + 1;
                i = start - 1;
                number++;
            }
        }
        return new IllegalArgumentException(file.getFileName() + " line " + number + ": not valid UTF-8 (task "
                + spec.name() + ")");
    }

    private Example parse(String line, int number) {
        String where = file.getFileName() + " line " + number;
        return switch (spec.kind()) {
            case MULTIPLE_CHOICE -> {
                JsonNode row = json(line, where);
                String query = stripPrefix(text(row, "query", where));
                String context = PromptTemplate.render(spec.template(), Map.of("query", query), where);
                yield choices(number, context, strings(row, "choices", where), gold(row.get("gold"), "gold", where,
                        row.path("choices").size()));
            }
            case PARTIAL_SCORING -> {
                JsonNode row = json(line, where);
                List<String> options = strings(row, "context_options", where).stream()
                        .map(option -> PromptTemplate.render(spec.template(), Map.of("context_option", option), where)).toList();
                String continuation = spec.targetDelimiter() + text(row, "continuation", where);
                int length = continuation.codePointCount(0, continuation.length());
                yield new Example(number, options, Collections.nCopies(options.size(), continuation),
                        Collections.nCopies(options.size(), length), gold(row.get("gold"), "gold", where, options.size()));
            }
            case HELLASWAG -> {
                JsonNode row = json(line, where);
                String query = HellaSwagText.query(text(row, "activity_label", where), text(row, "ctx_a", where),
                        text(row, "ctx_b", where));
                String context = PromptTemplate.render(spec.template(), Map.of("query", query), where);
                List<String> endings = strings(row, "endings", where).stream().map(HellaSwagText::preprocess).toList();
                yield choices(number, context, endings, gold(row.get("label"), "label", where, endings.size()));
            }
            case RTE -> {
                String[] columns = line.split("\t", -1);
                if (columns.length != 4) {
                    throw new IllegalArgumentException(where + ": expected 4 tab-separated columns "
                            + "(sentence1, sentence2, label, idx), got " + columns.length);
                }
                String context = PromptTemplate.render(spec.template(),
                        Map.of("sentence1", columns[0], "sentence2", columns[1]), where);
                if (spec.choices().isEmpty()) {
                    throw new IllegalArgumentException("task " + spec.name() + ": kind rte needs `choices` in its spec");
                }
                yield choices(number, context, spec.choices(), gold(columns[2], where, spec.choices().size()));
            }
            case LAMBADA -> {
                JsonNode row = json(line, where);
                String context = PromptTemplate.render(spec.template(), Map.of("context", text(row, "context", where)), where);
                String word = text(row, "continuation", where);
                if (word.isBlank()) {
                    throw new IllegalArgumentException(where + ": continuation must not be empty");
                }
                yield new Example(number, List.of(context), List.of(spec.targetDelimiter() + word),
                        List.of(word.codePointCount(0, word.length())), 0);
            }
        };
    }

    private Example choices(int number, String context, List<String> choices, int gold) {
        List<String> continuations = choices.stream().map(choice -> spec.targetDelimiter() + choice).toList();
        List<Integer> lengths = choices.stream().map(choice -> choice.codePointCount(0, choice.length())).toList();
        return new Example(number, Collections.nCopies(choices.size(), context), continuations, lengths, gold);
    }

    private String stripPrefix(String query) {
        return !spec.stripPrefix().isEmpty() && query.startsWith(spec.stripPrefix())
                ? query.substring(spec.stripPrefix().length()) : query;
    }

    private static JsonNode json(String line, String where) {
        try {
            JsonNode row = JSON.readTree(line);
            if (!row.isObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object");
            }
            return row;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static String text(JsonNode row, String field, String where) {
        JsonNode value = row.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a string");
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode row, String field, String where) {
        JsonNode value = row.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a list of strings");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' is empty");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(where + ": field '" + field + "' must hold only strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static int gold(JsonNode value, String field, String where, int choices) {
        if (value == null || !(value.isInt() || value.isTextual())) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be an integer");
        }
        return gold(value.asText(), where, choices);
    }

    private static int gold(String value, String where, int choices) {
        int gold;
        try {
            gold = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": gold label '" + value + "' is not an integer");
        }
        if (gold < 0 || gold >= choices) {
            throw new IllegalArgumentException(where + ": gold " + gold + " is out of range for " + choices + " choices");
        }
        return gold;
    }
}
