package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListJobsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** calibra study plan|run|status|report through ./calibra and the real stack. */
class StudyCliIT {

    private static LocalStack stack;
    private static String model;
    private static String corpus;

    @BeforeAll
    static void registerModelAndCorpus() {
        stack = LocalStack.shared();
        LocalStack.CliResult registered = stack.cli("models", "register", "--path",
                LocalStack.assets().resolve("models/stories260K").toString(), "--name", "study-stories", "--json");
        assertEquals(0, registered.exitCode(), registered.stderr());
        model = registered.json().get("name").asText();
        LocalStack.CliResult added = stack.cli("corpora", "add", "--path",
                LocalStack.assets().resolve("corpora/tinystories_valid_first.txt").toString(), "--name", "study-tinystories", "--json");
        assertEquals(0, added.exitCode(), added.stderr());
        corpus = added.json().get("name").asText();
    }

    private String spec(String methods, boolean dense) {
        return """
                name: e2e
                models: [%s]
                include_dense: %s
                methods:%s
                sources:
                  - {label: stories, strategy: random_window, corpus: %s, n_samples: 4, seq_len: 64, sets: 2, seed: 7}
                evaluation:
                  tasks: [copa]
                  limit: 8
                """.formatted(model, dense, methods, corpus);
    }

    private static int jobCount() {
        return JobsGrpc.newBlockingStub(stack.channel("registry"))
                .listJobs(ListJobsRequest.newBuilder().setPageSize(1000).build()).getJobsCount();
    }

    @Test
    void studyRun_specWithAnError_isRefusedNamingTheYamlPath_andQueuesNothing(@TempDir Path temp) throws Exception {
        Path file = Files.writeString(temp.resolve("bad.yaml"), spec("\n  - {method: gptq, bits: 5}", true));
        int before = jobCount();
        LocalStack.CliResult run = stack.cli("study", "run", file.toString(), "--json");
        assertEquals(1, run.exitCode(), run.stdout());
        String message = run.json().get("error").get("message").asText();
        assertTrue(message.contains("methods[0].bits must be 2, 3, 4 or 8, got 5 (line 5)"), message);
        assertEquals(before, jobCount(), "no job was queued");
    }

    @Test
    void studyPlan_listsTheGridsJobsWithoutQueueingThem(@TempDir Path temp) throws Exception {
        Path file = Files.writeString(temp.resolve("plan.yaml"), spec("\n  - {method: gptq, bits: 4}\n  - {method: rtn, bits: 4}", true));
        int before = jobCount();
        LocalStack.CliResult plan = stack.cli("study", "plan", file.toString(), "--json");
        assertEquals(0, plan.exitCode(), plan.stderr());
        JsonNode json = plan.json();
        // dense eval; rtn compress + eval; 2 sets x (calibrate, gptq compress, eval)
        assertEquals(9, json.get("jobs_total").asInt(), json.toString());
        assertTrue(json.get("estimated_seconds").asLong() > 0);
        assertEquals(before, jobCount(), "a plan queues nothing");
    }

    @Test
    void studyRun_denseOnly_finishesAndWritesTheThreeReports(@TempDir Path temp) throws Exception {
        Path file = Files.writeString(temp.resolve("dense.yaml"), spec(" []", true).replace("sources:\n  - {label: stories, strategy: random_window, corpus: "
                + corpus + ", n_samples: 4, seq_len: 64, sets: 2, seed: 7}\n", ""));
        LocalStack.CliResult run = stack.cli("study", "run", file.toString(), "--out", temp.resolve("reports").toString(), "--json");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode json = run.json();
        for (String key : new String[] {"study_id", "report_json", "report_html", "report_csv"}) {
            assertTrue(json.has(key), "study run --json has " + key + ": " + json);
        }
        JsonNode report = new ObjectMapper().readTree(Path.of(json.get("report_json").asText()).toFile());
        assertEquals("STUDY_STATE_FINISHED", report.get("study").get("state").asText());
        assertEquals(2, report.get("baselines").size(), "dense copa acc and acc_norm: " + report);
        assertTrue(report.get("findings").get(0).asText().contains("dense copa acc"), report.get("findings").toString());
        assertTrue(Files.readString(Path.of(json.get("report_html").asText())).contains("<img"));
        LocalStack.CliResult again = stack.cli("study", "run", file.toString(), "--out", temp.resolve("reports").toString(), "--json");
        assertEquals(json.get("study_id"), again.json().get("study_id"), "the same file continues the same study");
    }
}
