package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.WeightedCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** corpora add/list, calibrate, calibration list/show/export and CALIBRATE jobs, through ./calibra and the real stack. */
class CalibrationCliIT {

    private static final Path STORIES_MODEL = LocalStack.assets().resolve("models/stories260K");
    private static final Path TINYSTORIES = LocalStack.assets().resolve("corpora/tinystories_valid_first.txt");
    private static LocalStack stack;
    private static String corpusId;
    private static String modelId;

    @BeforeAll
    static void registerModelAndCorpus() {
        stack = LocalStack.shared();
        LocalStack.CliResult model = stack.cli("models", "register", "--path", STORIES_MODEL.toString(), "--name",
                "calib-stories", "--json");
        assertEquals(0, model.exitCode(), model.stderr());
        modelId = model.json().get("id").asText();
        JsonNode corpus = stack.cli("corpora", "add", "--path", TINYSTORIES.toString(), "--name", "calib-tinystories",
                "--domain", "stories", "--split", "validation", "--licence", "CDLA-Sharing-1.0", "--json").json();
        for (String key : new String[] {"id", "name", "sha256", "documents"}) {
            assertTrue(corpus.has(key), "corpora add --json has " + key + ": " + corpus);
        }
        assertEquals(4302, corpus.get("documents").asLong());
        // ids, not names: registration is idempotent by content, so another test may own the name of this content
        corpusId = corpus.get("id").asText();
    }

    private static int setsWithFingerprint(String fingerprint) {
        JsonNode sets = stack.cli("calibration", "list", "--limit", "1000", "--json").json().get("calibration_sets");
        int count = 0;
        for (JsonNode set : sets) {
            count += set.get("fingerprint").asText().equals(fingerprint) ? 1 : 0;
        }
        return count;
    }

    /** Sets drawn from this test's corpus (other tests may add sets of their own meanwhile). */
    private static int setCount() {
        return stack.cli("calibration", "list", "--corpus", corpusId, "--limit", "1000", "--json").json()
                .get("calibration_sets").size();
    }

    @Test
    void calibrate_twice_sameFingerprintOneRow_otherSeedOtherSet_andShowExport(@TempDir Path temp) throws Exception {
        JsonNode again = stack.cli("corpora", "add", "--path", TINYSTORIES.toString(), "--name", "calib-tinystories", "--json").json();
        assertEquals(corpusId, again.get("id").asText(), "the same file again returns the existing corpus");

        String[] calibrate = {"calibrate", "--corpus", corpusId, "--model", modelId, "--strategy",
                "random_window", "-n", "8", "--seq-len", "128", "--seed", "0", "--json"};
        LocalStack.CliResult firstRun = stack.cli(calibrate);
        assertEquals(0, firstRun.exitCode(), firstRun.stderr());
        JsonNode first = firstRun.json();
        for (String key : new String[] {"id", "fingerprint", "artifact_path"}) {
            assertTrue(first.has(key), "calibrate --json has " + key + ": " + first);
        }
        Path artifact = Path.of(first.get("artifact_path").asText());
        assertTrue(artifact.isAbsolute() && Files.isRegularFile(artifact), artifact.toString());
        JsonNode second = stack.cli(calibrate).json();
        assertEquals(first.get("id"), second.get("id"));
        assertEquals(first.get("fingerprint"), second.get("fingerprint"));
        assertEquals(1, setsWithFingerprint(first.get("fingerprint").asText()), "registered once");

        calibrate[calibrate.length - 2] = "1";
        JsonNode otherSeed = stack.cli(calibrate).json();
        assertNotEquals(first.get("fingerprint"), otherSeed.get("fingerprint"));

        JsonNode shown = stack.cli("calibration", "show", first.get("id").asText(), "--samples", "2", "--json").json();
        assertEquals(2, shown.get("samples").size());
        assertEquals(128, shown.get("samples").get(0).get("token_ids").size());
        assertEquals(corpusId, shown.get("samples").get(0).get("provenance").get("corpus_id").asText());
        assertFalse(shown.get("samples").get(0).get("text").asText().isBlank());

        Path export = temp.resolve("set.jsonl");
        LocalStack.CliResult exported = stack.cli("calibration", "export", first.get("id").asText(), "--out", export.toString(),
                "--json");
        assertEquals(0, exported.exitCode(), exported.stderr());
        List<String> lines = Files.readAllLines(export);
        assertEquals(9, lines.size(), "a header line with the spec and 8 samples");
        assertTrue(lines.get(0).contains("\"spec\"") && lines.get(1).contains("\"token_ids\""));
    }

    @Test
    void badInput_isRefusedWithItsReason_andRegistersNothing(@TempDir Path temp) throws Exception {
        Path noField = temp.resolve("no-field.jsonl");
        Files.writeString(noField, "{\"text\": \"one\"}\n{\"body\": \"two\"}\n");
        LocalStack.CliResult corpus = stack.cli("corpora", "add", "--path", noField.toString(), "--name", "calib-bad", "--json");
        assertEquals(1, corpus.exitCode());
        assertEquals("INVALID_ARGUMENT", corpus.json().get("error").get("code").asText());
        assertTrue(corpus.json().get("error").get("message").asText().contains("line 2 has no string field 'text'"),
                corpus.stdout());
        assertFalse(stack.cli("corpora", "list", "--json").json().get("corpora").findValuesAsText("name").contains("calib-bad"));

        int before = setCount();
        String[][] bad = {
            {"--seq-len", "4096", "-n", "4", "context of 512 tokens"},
            {"--strategy", "best_windows", "--seq-len", "128", "'best_windows'"},
            {"-n", "0", "--seq-len", "128", "'-n', '--samples': must be > 0"},
        };
        for (String[] input : bad) {
            LocalStack.CliResult result = stack.cli("calibrate", "--corpus", corpusId, "--model", modelId,
                    input[0], input[1], input[2], input[3], "--json");
            assertEquals(1, result.exitCode(), String.join(" ", input));
            JsonNode error = result.json().get("error");
            assertEquals("INVALID_ARGUMENT", error.get("code").asText(), error.toString());
            assertTrue(error.get("message").asText().contains(input[4]), error.toString());
        }
        LocalStack.CliResult tooLong = stack.cli("calibrate", "--corpus", corpusId, "--model", modelId,
                "--seq-len", "512", "-n", "4", "--json");
        assertTrue(tooLong.json().get("error").get("message").asText().contains("the longest has"), tooLong.stdout());
        assertEquals(before, setCount(), "no calibration set was registered");
    }

    @Test
    void calibrateJob_isClaimedByTheServiceAndCompletedWithTheSetId() throws Exception {
        // a fresh seed, so this job draws (and produces) a new set even when the stack's database is reused
        CalibrationSpec spec = CalibrationSpec.newBuilder().setStrategy("disjoint_sets").setNSamples(4).setSeqLen(64)
                .setSeed(System.nanoTime() & 0xFFFFFF).setModelId(modelId).addCorpora(WeightedCorpus.newBuilder().setCorpusId(corpusId).setWeight(1))
                .putParameters("set_index", "3").build();
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(stack.channel("registry"));
        Job job = jobs.submitJob(SubmitJobRequest.newBuilder().setRequestId("calib-it-" + UUID.randomUUID())
                .setSpec(JobSpec.newBuilder().setCalibrate(SampleCalibrationSetRequest.newBuilder().setSpec(spec))).build());
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (job.getState() != JobState.JOB_STATE_SUCCEEDED && job.getState() != JobState.JOB_STATE_FAILED
                && System.nanoTime() < deadline) {
            Thread.sleep(300);
            job = jobs.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
        }
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState(), job.getError());
        String setId = job.getResultIds(0);
        JsonNode shown = stack.cli("calibration", "show", setId, "--samples", "0", "--json").json();
        assertEquals("disjoint_sets", shown.get("spec").get("strategy").asText());
        assertEquals("3", shown.get("spec").get("parameters").get("set_index").asText());
        assertEquals(job.getId(), shown.get("producing_job_id").asText());
    }

    @Test
    void chatCorpus_drawsTemplatedConversations_withTheTemplatesSwitchesRecorded() {
        JsonNode corpus = stack.cli("corpora", "add", "--path", LocalStack.assets().resolve("corpora/tinystories_chat.jsonl").toString(),
                "--name", "calib-chat", "--documents", "chat", "--json").json();
        assertEquals(533, corpus.get("documents").asLong(), corpus.toString());
        assertEquals("chat:messages", corpus.get("document_rule").asText(), corpus.toString());
        String chatCorpus = corpus.get("id").asText();

        // the stories tokenizer has none of these templates' special tokens but <s>, so the markup is spelled out in
        // the decoded text (<s>, a special token, is not)
        java.util.Map<String, String> opening = java.util.Map.of("qwen3", "<|im_start|>", "llama3", "<|start_header_id|>system",
                "gemma2", "<start_of_turn>user");
        for (String template : opening.keySet()) {
            LocalStack.CliResult drawn = stack.cli("calibrate", "--corpus", chatCorpus, "--model", modelId, "--strategy", "chat",
                    "-P", "template=" + template, "-P", "on_template_error=skip", "-n", "4", "--seq-len", "64", "--seed", "0",
                    "--json");
            assertEquals(0, drawn.exitCode(), drawn.stderr());
            JsonNode shown = stack.cli("calibration", "show", drawn.json().get("id").asText(), "--samples", "4", "--json").json();
            JsonNode parameters = shown.get("spec").get("parameters");
            assertEquals(template, parameters.get("template").asText());
            assertEquals("unset", parameters.get("enable_thinking").asText(), "every switch is recorded, defaults included");
            assertEquals("false", parameters.get("add_generation_prompt").asText());
            assertEquals("whole", parameters.get("packing").asText());
            java.util.Set<Long> conversations = new java.util.HashSet<>();
            for (JsonNode sample : shown.get("samples")) {
                assertEquals(chatCorpus, sample.get("provenance").get("corpus_id").asText());
                assertTrue(conversations.add(sample.get("provenance").path("document_index").asLong(0)), "one conversation per row");
                assertTrue(sample.get("text").asText().startsWith(opening.get(template)), template + ": " + sample.get("text").asText());
            }
        }

        LocalStack.CliResult noTemplate = stack.cli("calibrate", "--corpus", chatCorpus, "--model", modelId, "--strategy", "chat",
                "-n", "4", "--seq-len", "64", "--json");
        assertEquals(1, noTemplate.exitCode());
        assertTrue(noTemplate.json().get("error").get("message").asText().contains("has no chat template"), noTemplate.stdout());
    }
}
