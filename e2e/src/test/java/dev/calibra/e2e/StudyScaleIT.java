package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * calibra bench study through ./calibra on a stack of its own whose workers are off: a small grid of the
 * paper's shape created twice with one request id and drained by dry-run workers over real gRPC.
 */
class StudyScaleIT {

    @Test
    void benchStudy_smallGrid_isCreatedOnce_drainedByDryRunWorkers_andReportedInFull() {
        LocalStack stack = LocalStack.create("study-scale", 9520, Map.of("CALIBRA_WORKER_ENABLED", "false"));
        stack.down();
        try {
            stack.up();
            LocalStack.CliResult run = stack.cli("--json", "bench", "study", "--models", "2", "--methods", "2", "--sources", "2",
                    "--sets", "3", "--workers", "4");
            assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
            JsonNode json = run.json();
            // per model: the dense evaluation and 2 sources x 3 sets x (calibrate + 2 x (compress + evaluate))
            assertEquals(2 * (1 + 2 * 3 * 5), json.get("jobs").asInt(), json.toString());
            assertTrue(json.get("idempotent").asBoolean(), json.toString());
            assertEquals(json.get("jobs").asInt(), json.get("jobs_succeeded").asInt());
            assertEquals(json.get("jobs").asInt(), json.get("claims").asInt());
            assertEquals(0, json.get("errors").asInt());
            assertEquals("STUDY_STATE_FINISHED", json.get("study_state").asText());
            // per model, method and source: 10 tasks, the perplexity and the task average
            assertEquals(2 * 2 * 2 * 12, json.get("report_groups").asInt());
            assertEquals(2 * 12, json.get("report_baselines").asInt(), "the dense models' 11 evaluations and their average");
            JsonNode calls = json.get("latency_ms");
            assertEquals(2 * 2 * 3, calls.get("register_calibration_set").get("calls").asInt(), "one set per model, source and set");
            assertEquals(2 * 2 * 3 * 2, calls.get("register_model").get("calls").asInt(), "one model per compression");
            assertEquals(2 + 2 * 2 * 3 * 2, calls.get("record_scores").get("calls").asInt(), "one RecordScores per evaluation");
        } finally {
            stack.down();
        }
    }
}
