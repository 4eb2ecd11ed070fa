package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model families through the services as a user drives them (./calibra against the shared stack), on the
 * random-weight test models of testvectors/families: register, calibrate with the model's tokenizer, GPTQ
 * 4-bit and SparseGPT 50% as queued jobs, perplexity of each result; configs Calibra cannot compute exactly
 * are refused at registration, naming the field; the paper's grid validates with its OPT rows.
 */
class FamiliesIT {

    private static final Path FAMILIES = LocalStack.repositoryRoot().resolve("testvectors/families");
    private static final Path TINYSTORIES = LocalStack.assets().resolve("corpora/tinystories_valid_first.txt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode ok(LocalStack.CliResult result) {
        assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
        return result.json();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3-sharded", "gemma2", "opt"})
    void gptqAndSparseGpt_runThroughTheServices_andTheResultsEvaluate(String family) {
        LocalStack stack = LocalStack.shared();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String model = ok(stack.cli("models", "register", "--path", FAMILIES.resolve(family).toString(), "--name",
                "family-" + family + "-" + suffix, "--json")).get("id").asText();
        String corpus = ok(stack.cli("corpora", "add", "--path", TINYSTORIES.toString(), "--name", "family-tinystories", "--json"))
                .get("id").asText();
        String set = ok(stack.cli("calibrate", "--model", model, "--corpus", corpus, "-n", "8", "--seq-len", "32", "--seed", "5",
                "--json")).get("id").asText();
        for (List<String> method : List.of(List.of("--method", "gptq", "--bits", "4"), List.of("--method", "sparsegpt", "--sparsity", "0.5"))) {
            List<String> args = new java.util.ArrayList<>(List.of("compress", "--model", model, "--calibration", set, "--json"));
            args.addAll(method);
            JsonNode compressed = ok(stack.cli(args.toArray(String[]::new)));
            JsonNode shown = ok(stack.cli("models", "show", compressed.get("id").asText(), "--json"));
            assertEquals(model, shown.get("parent_model_id").asText());
            JsonNode perplexity = ok(stack.cli("eval", "--model", compressed.get("id").asText(), "--perplexity", TINYSTORIES.toString(),
                    "--seq-len", "32", "--max-tokens", "256", "--json"));
            double value = perplexity.get("perplexity").asDouble();
            assertTrue(Double.isFinite(value) && value > 1, family + " " + method + ": perplexity " + value);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"made-up rope type", "unread soft-capping"})
    void configCalibraCannotComputeExactly_isRefusedAtRegistration_namingTheField(String what, @TempDir Path copy) throws Exception {
        Path source = FAMILIES.resolve("llama-rope-linear");
        for (String file : List.of("model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(source.resolve(file), copy.resolve(file));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        String field;
        if (what.startsWith("made-up")) {
            config.putObject("rope_scaling").put("rope_type", "made_up").put("factor", 2.0);
            field = "rope_scaling";
        } else {
            config.put("final_logit_softcapping", 30.0);
            field = "final_logit_softcapping";
        }
        JSON.writeValue(copy.resolve("config.json").toFile(), config);
        String name = "refused-" + UUID.randomUUID();
        LocalStack.CliResult refused = LocalStack.shared().cli("models", "register", "--path", copy.toString(), "--name", name, "--json");
        assertEquals(1, refused.exitCode(), refused.stdout());
        JsonNode error = refused.json().get("error");
        assertEquals("INVALID_ARGUMENT", error.get("code").asText(), error.toString());
        assertTrue(error.get("message").asText().contains("field '" + field + "'"), error.toString());
        assertEquals(1, LocalStack.shared().cli("models", "show", name, "--json").exitCode(), "nothing was registered");

        LocalStack.CliResult inspected = LocalStack.shared().cli("models", "inspect", copy.toString(), "--json");
        assertEquals(1, inspected.exitCode());
        assertTrue(inspected.json().get("error").get("message").asText().contains("field '" + field + "'"), inspected.stdout());
    }

    /** examples/paper.yaml names llama-2-7b, mistral-7b and opt-6.7b: the test models stand in under those names. */
    @Test
    void paperGrid_validatesWithItsOptRows(@TempDir Path texts) throws Exception {
        LocalStack stack = LocalStack.fresh("paper-plan", 9490, java.util.Map.of());
        try {
            stack.up();
            ok(stack.cli("models", "register", "--path", FAMILIES.resolve("llama-rope-linear").toString(), "--name", "llama-2-7b", "--json"));
            ok(stack.cli("models", "register", "--path", FAMILIES.resolve("mistral-sliding").toString(), "--name", "mistral-7b", "--json"));
            ok(stack.cli("models", "register", "--path", FAMILIES.resolve("opt").toString(), "--name", "opt-6.7b", "--json"));
            // the same content is one corpus whatever its name, so each stand-in corpus gets a line of its own
            String stories = Files.readString(TINYSTORIES);
            for (String corpus : List.of("c4", "cnn-dailymail", "redpajama", "refinedweb", "wikipedia", "wikitext2-train", "wikitext2-test")) {
                Path file = texts.resolve(corpus + ".txt");
                Files.writeString(file, "stand-in for " + corpus + "\n\n" + stories);
                ok(stack.cli("corpora", "add", "--path", file.toString(), "--name", corpus, "--json"));
            }
            JsonNode plan = ok(stack.cli("study", "plan", LocalStack.repositoryRoot().resolve("examples/paper.yaml").toString(), "--json"));
            assertEquals("paper", plan.get("name").asText());
            long optCompressions = 0;
            for (JsonNode job : plan.get("jobs")) {
                if (job.get("model").asText().equals("opt-6.7b") && job.get("type").asText().equals("JOB_TYPE_COMPRESS")) {
                    optCompressions++;
                }
            }
            // 8 methods (SpQR's row included), 5 calibration-set sources of 5 sets and wikitext's disjoint sets
            assertTrue(optCompressions >= 8 * 5, "the OPT rows are planned: " + optCompressions + " compression jobs");
            assertEquals(plan.get("jobs_total").asLong(), plan.get("jobs_new").asLong() + plan.get("jobs_existing").asLong());
        } finally {
            stack.down();
        }
    }
}
