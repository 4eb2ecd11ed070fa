package dev.calibra.evaluation.fuzz;

// Feeds TaskReader mutated task files of every shipped task (its first real rows, with JSON values of the
// wrong type, out-of-range gold labels, lone surrogates, deep nesting, invalid UTF-8, broken TSV rows),
// now and then under a mutated template, and TaskCatalog mutated tasks.json trees. Asserts: examples whose
// gold label indexes one of their choices, or IllegalArgumentException naming the file and line (the
// catalog: naming the entry); nothing else, no hang.

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.evaluation.Assets;
import dev.calibra.evaluation.task.Example;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskReader;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.fuzz.Fuzzer;
import dev.calibra.model.fuzz.JsonMutator;
import dev.calibra.model.fuzz.Mutator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskFileFuzzTest {

    private static final TaskCatalog CATALOG = TaskCatalog.builtIn();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEED_ROWS = 6;
    private static final List<String> NAMES = List.of("query", "choices", "gold", "context_options", "continuation",
            "context", "ctx_a", "ctx_b", "ctx", "activity_label", "endings", "label", "{query}", "{context}",
            "{context_option}", "{sentence1}", "{sentence2}", "\t", "Answer:", "[title]", "[header]");

    @TempDir
    Path assets;

    @Test
    void read_mutatedTaskFiles_examplesOrRefusalNamingFileAndLine() throws IOException {
        List<TaskSpec> specs = CATALOG.all();
        List<byte[]> seeds = new ArrayList<>();
        for (TaskSpec spec : specs) {
            seeds.add(firstRows(spec));
        }
        Mutator bytes = new Mutator(seeds, NAMES, 256 << 10);
        JsonMutator json = new JsonMutator(NAMES);
        Fuzzer.Generator generator = random -> {
            TaskSpec spec = specs.get(random.nextInt(specs.size()));
            return switch (random.nextInt(3)) {
                case 0 -> input(spec, spec.template(), bytes.mutate(firstRows(spec), random));
                case 1 -> input(spec, spec.template(), mutateOneRow(firstRows(spec), json, random));
                default -> input(spec, mutatedTemplate(spec.template(), random), firstRows(spec));
            };
        };
        Fuzzer.Report report = new Fuzzer("task-file", Fuzzer.Settings.fromSystemProperties(2000)).run(generator,
                input -> readTask(input), error -> error instanceof IllegalArgumentException
                        && (Fuzzer.names(error, " line ") || Fuzzer.names(error, "no examples")));
        report.assertNoFailures();
    }

    @Test
    void parse_mutatedCatalog_catalogOrRefusalNamingTheEntry() throws IOException {
        JsonNode catalog;
        try (InputStream in = TaskCatalog.class.getResourceAsStream(TaskCatalog.RESOURCE)) {
            catalog = JSON.readTree(in);
        }
        JsonMutator json = new JsonMutator(List.of("name", "kind", "file", "template", "target_delimiter", "strip_prefix",
                "choices", "multiple_choice", "partial_scoring", "hellaswag", "rte", "lambada", "arc_easy"));
        Fuzzer.Report report = new Fuzzer("task-catalog", Fuzzer.Settings.fromSystemProperties(2000)).run(
                random -> json.mutateToBytes(catalog, random),
                input -> TaskCatalog.parse(JSON.readTree(input), "tasks.json").all().forEach(TaskSpec::metrics),
                error -> error instanceof IllegalArgumentException && Fuzzer.names(error, "tasks.json"));
        report.assertNoFailures();
    }

    /** Regression: a byte that is not UTF-8 used to escape as a bare MalformedInputException, naming nothing. */
    @Test
    void read_invalidUtf8_isRefusedNamingFileAndLine() throws IOException {
        TaskSpec spec = CATALOG.get("copa");
        byte[] rows = firstRows(spec);
        byte[] bad = Arrays.copyOf(rows, rows.length + 4);
        System.arraycopy(new byte[] {'{', (byte) 0xC3, '}', '\n'}, 0, bad, rows.length, 4);
        Files.createDirectories(assets.resolve(spec.file()).getParent());
        Files.write(assets.resolve(spec.file()), bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TaskReader(spec, assets).read(0));
        assertTrue(e.getMessage().contains("copa.jsonl line " + (SEED_ROWS + 1)), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TaskReader(spec, assets).count());
        assertTrue(e.getMessage().contains("copa.jsonl"), e.getMessage());
    }

    /** Writes the task file of the input under the temporary assets folder, reads it whole and counts it. */
    private void readTask(byte[] input) throws IOException {
        int newline = indexOf(input, (byte) '\n');
        JsonNode header = JSON.readTree(Arrays.copyOf(input, Math.max(newline, 0)));
        TaskSpec shipped = CATALOG.get(header.path("task").asText());
        TaskSpec spec = new TaskSpec(shipped.name(), shipped.kind(), shipped.file(), header.path("template").asText(),
                shipped.targetDelimiter(), shipped.stripPrefix(), shipped.choices());
        Path file = assets.resolve(spec.file());
        Files.createDirectories(file.getParent());
        Files.write(file, Arrays.copyOfRange(input, newline + 1, input.length));
        TaskReader reader = new TaskReader(spec, assets);
        for (Example example : reader.read(0)) {
            if (example.choiceCount() < 1 || example.gold() < 0 || example.gold() >= example.choiceCount()) {
                throw new AssertionError("line " + example.line() + ": gold " + example.gold() + " of "
                        + example.choiceCount() + " choices");
            }
        }
        if (reader.count() < 0) {
            throw new AssertionError("negative count");
        }
    }

    /** An input: one JSON line naming the task and its template, then the task file's bytes. */
    private static byte[] input(TaskSpec spec, String template, byte[] file) throws IOException {
        ObjectNode header = JSON.createObjectNode().put("task", spec.name()).put("template", template);
        byte[] head = (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + file.length);
        System.arraycopy(file, 0, out, head.length, file.length);
        return out;
    }

    private static byte[] firstRows(TaskSpec spec) throws IOException {
        try (var lines = Files.lines(Assets.assets().resolve(spec.file()), StandardCharsets.UTF_8)) {
            return String.join("\n", lines.limit(SEED_ROWS).toList()).concat("\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The rows with one JSON row's values mutated (TSV rows, which are not JSON, are left as they are). */
    private static byte[] mutateOneRow(byte[] rows, JsonMutator json, SplittableRandom random) throws IOException {
        String[] lines = new String(rows, StandardCharsets.UTF_8).split("\n");
        int pick = random.nextInt(lines.length);
        if (lines[pick].startsWith("{")) {
            lines[pick] = new String(json.mutateToBytes(JSON.readTree(lines[pick]), random), StandardCharsets.UTF_8);
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String mutatedTemplate(String template, SplittableRandom random) {
        String[] pieces = {"{", "}", "{}", "{query", "{nope}", "{query}", "{{query}}", "\n", "\ud800", ""};
        int at = random.nextInt(template.length() + 1);
        return template.substring(0, at) + pieces[random.nextInt(pieces.length)] + template.substring(at);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
