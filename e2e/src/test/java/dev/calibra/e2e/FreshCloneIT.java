package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.hub.LocalHubServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The launcher on a copy of the repository as a user clones it: the files git tracks (plus new ones not
 * ignored), no build output, no state, nothing beside it. The first {@code ./calibra} builds the suite,
 * the next ones start the CLI at once, and a changed source builds again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreshCloneIT {

    static final List<String> OUTPUTS = List.of("cli/target/calibra-cli.jar", "registry/target/quarkus-app/quarkus-run.jar",
            "calibration-service/target/quarkus-app/quarkus-run.jar", "compression-service/target/quarkus-app/quarkus-run.jar",
            "eval-service/target/quarkus-app/quarkus-run.jar");
    private static final String BUILDING = "calibra: building the suite";

    static LocalStack clone;

    @BeforeAll
    static void cloneTheRepository() throws Exception {
        clone = LocalStack.inCheckout(FreshClone.of(LocalStack.repositoryRoot()), 9700, Map.of());
    }

    @Test
    @Order(1)
    void firstCall_buildsTheSuite_secondCallStartsWithoutBuilding() throws Exception {
        assertFalse(Files.exists(clone.root().getParent().resolve("shared")), "nothing beside the clone");
        LocalStack.CliResult first = clone.cli("--help");
        assertEquals(0, first.exitCode(), first.stderr());
        assertTrue(first.stderr().contains(BUILDING), "the first call builds: " + first.stderr());
        assertTrue(first.stdout().contains("Usage: calibra"), first.stdout());
        Map<String, FileTime> built = outputTimes();

        LocalStack.CliResult second = clone.cli("--help");
        assertEquals(0, second.exitCode(), second.stderr());
        assertFalse(second.stderr().contains(BUILDING), "the second call must not build: " + second.stderr());
        assertEquals(first.stdout(), second.stdout());
        assertEquals(built, outputTimes(), "nothing was rebuilt");

        // Tests, docs and build output are not inputs of the launcher's build.
        touch("model-core/src/test/java/dev/calibra/model/TestData.java");
        touch("README.md");
        LocalStack.CliResult third = clone.cli("--version");
        assertFalse(third.stderr().contains(BUILDING), "a test source or a doc does not rebuild: " + third.stderr());
        assertEquals(built, outputTimes());
    }

    @Test
    @Order(2)
    void aChangedMainSource_rebuildsOnce() throws Exception {
        String changed = "model-core/src/main/java/dev/calibra/model/ModelFolder.java";
        touch(changed);
        LocalStack.CliResult rebuilt = clone.cli("--version");
        assertEquals(0, rebuilt.exitCode(), rebuilt.stderr());
        assertTrue(rebuilt.stderr().contains(BUILDING) && rebuilt.stderr().contains(changed), rebuilt.stderr());
        LocalStack.CliResult after = clone.cli("--version");
        assertFalse(after.stderr().contains(BUILDING), after.stderr());
    }

    /**
     * The README's quick start, as written, in the clone. The hub is a local server speaking the Hugging Face
     * Hub's protocol (no hub access here) that serves the shipped stories260K under the repository name the
     * README uses, so every command runs as a newcomer types it.
     */
    @Test
    @Order(3)
    void readmeQuickStart_runsAsWritten_toACompressedEvaluatedModel() throws Exception {
        String block = quickStart(Files.readString(clone.root().resolve("README.md"), StandardCharsets.UTF_8));
        Matcher pull = Pattern.compile("models pull (\\S+)").matcher(block);
        assertTrue(pull.find(), "the quick start pulls a model: " + block);
        try (LocalHubServer hub = LocalHubServer.start()) {
            hub.serve(pull.group(1), clone.root().resolve("assets/models/stories260K"));
            LocalStack.CliResult run = clone.run(List.of("bash", "-euo", "pipefail", "-c", block),
                    Map.of("HF_ENDPOINT", hub.endpoint().toString()));
            assertEquals(0, run.exitCode(), "the quick start failed:\n" + run.stdout() + "\n" + run.stderr());

            JsonNode compressed = clone.cli("models", "show", "my-model-gptq4", "--json").json();
            assertEquals("gptq", compressed.get("compression").get("method").asText());
            Set<String> tasks = new HashSet<>(compressed.get("scores").findValuesAsText("task"));
            assertTrue(tasks.containsAll(List.of("arc_easy", "piqa")) && tasks.size() == 3, "perplexity and two tasks: " + tasks);
            JsonNode base = clone.cli("models", "show", compressed.get("parent_model_id").asText(),
                    "--json").json();
            assertEquals(LocalHubServer.commitOf(pull.group(1)), base.get("origin").get("commit").asText(), "lineage to the commit");
        } finally {
            clone.down();
        }
    }

    /** The bash block that follows the quick-start marker in README.md. */
    static String quickStart(String readme) {
        int marker = readme.indexOf("<!-- quick-start");
        assertTrue(marker >= 0, "README.md has a quick-start block");
        int start = readme.indexOf("```bash\n", marker) + "```bash\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private static void touch(String relative) throws IOException {
        Files.setLastModifiedTime(clone.root().resolve(relative), FileTime.from(Instant.now().plusSeconds(2)));
    }

    private static Map<String, FileTime> outputTimes() throws IOException {
        Map<String, FileTime> times = new LinkedHashMap<>();
        for (String output : OUTPUTS) {
            times.put(output, Files.getLastModifiedTime(clone.root().resolve(output)));
        }
        return times;
    }

    /** A copy of a checkout as `git clone` would give it: tracked files and new files git does not ignore. */
    static final class FreshClone {

        private FreshClone() {}

        static Path of(Path checkout) throws IOException, InterruptedException {
            Path target = checkout.resolve("e2e/target/fresh-clone/calibra");
            if (Files.exists(target.resolve(".calibra/stack.json"))) {
                // a stack left by an earlier run of this test
                new ProcessBuilder(target.resolve("calibra").toString(), "stack", "down").directory(target.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.MINUTES);
            }
            LocalStack.deleteTree(target.getParent());
            for (String file : filesOf(checkout)) {
                Path from = checkout.resolve(file);
                if (!Files.isRegularFile(from)) {
                    continue;  // deleted in the working tree but still tracked
                }
                Path to = target.resolve(file);
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
            // As a clone's files are: written now, older than any build that follows.
            for (String file : filesOf(checkout)) {
                Path copied = target.resolve(file);
                if (Files.exists(copied)) {
                    Files.setLastModifiedTime(copied, FileTime.from(Instant.now().minusSeconds(60)));
                }
            }
            return target;
        }

        private static List<String> filesOf(Path checkout) throws IOException, InterruptedException {
            Process git = new ProcessBuilder("git", "-C", checkout.toString(), "ls-files", "-z", "--cached", "--others",
                    "--exclude-standard").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] listing = git.getInputStream().readAllBytes();
            if (!git.waitFor(1, TimeUnit.MINUTES) || git.exitValue() != 0) {
                return walkedFilesOf(checkout);
            }
            List<String> files = new ArrayList<>();
            for (String file : new String(listing, StandardCharsets.UTF_8).split("\0")) {
                if (!file.isEmpty()) {
                    files.add(file);
                }
            }
            return files;
        }

        /** Without git: every file but what .gitignore names (build output, state, logs, generated stubs). */
        private static List<String> walkedFilesOf(Path checkout) throws IOException {
            try (Stream<Path> tree = Files.walk(checkout)) {
                return tree.filter(Files::isRegularFile).map(path -> checkout.relativize(path).toString().replace('\\', '/'))
                        .filter(file -> !file.matches("(.*/)?(target|\\.calibra|\\.git|__pycache__)/.*")
                                && !file.endsWith(".log") && !file.startsWith("examples/python/calibra/"))
                        .toList();
            }
        }
    }
}
