package dev.calibra.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import dev.calibra.proto.v1.StudyState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping every service (and PostgreSQL) halfway through a study and running `calibra study run`
 * on the same file again finishes the study without redoing the jobs that had finished.
 */
class StudyRestartIT {

    private static LocalStack stack;

    @BeforeAll
    static void ownStack() {
        // A stack of its own: this test stops it, which the shared stack's other users must not see.
        stack = LocalStack.create("study-restart", 9440, Map.of());
        stack.up();
    }

    @AfterAll
    static void down() {
        stack.down();
    }

    @Test
    void studyRun_afterTheStackIsStoppedHalfway_finishesWithoutRedoingFinishedJobs(@TempDir Path temp) throws Exception {
        LocalStack.CliResult model = stack.cli("models", "register", "--path",
                LocalStack.assets().resolve("models/stories260K").toString(), "--name", "restart-stories", "--json");
        assertEquals(0, model.exitCode(), model.stderr());
        LocalStack.CliResult corpus = stack.cli("corpora", "add", "--path",
                LocalStack.assets().resolve("corpora/c4_en_train00000_first1000.jsonl").toString(), "--name", "restart-c4", "--json");
        assertEquals(0, corpus.exitCode(), corpus.stderr());
        String yaml = """
                name: restart
                models: [%s]
                include_dense: true
                methods:
                  - {method: gptq, bits: 4}
                  - {method: wanda, sparsity: 0.5}
                sources:
                  - {label: c4, strategy: random_window, corpus: %s, n_samples: 8, seq_len: 64, sets: 2, seed: %d}
                evaluation:
                  tasks: [copa]
                  limit: 10
                """.formatted(model.json().get("name").asText(), corpus.json().get("name").asText(),
                        // A seed of its own: the stack's database outlives a run, and this test needs work not done yet.
                        System.nanoTime() % 1_000_000_000L);
        Path file = Files.writeString(temp.resolve("restart.yaml"), yaml);
        // The request id `study run` derives from the file, so the CLI later continues this very study.
        String requestId = "study-file-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(yaml.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        Study study = StudiesGrpc.newBlockingStub(stack.channel("registry"))
                .createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml).setRequestId(requestId).build());
        assertEquals(11, study.getJobsTotal());

        long deadline = System.nanoTime() + 300_000_000_000L;
        while (study.getJobsSucceeded() < 4) {
            assertTrue(System.nanoTime() < deadline, "4 jobs should finish within 5 minutes: " + study);
            Thread.sleep(500);
            study = StudiesGrpc.newBlockingStub(stack.channel("registry")).getStudy(GetStudyRequest.newBuilder().setId(study.getId()).build());
        }
        Map<String, Job> finishedBefore = new HashMap<>();
        for (StudyJob cell : study.getJobsList()) {
            if (cell.getState() == JobState.JOB_STATE_SUCCEEDED) {
                finishedBefore.put(cell.getJobId(), job(cell.getJobId()));
            }
        }
        assertTrue(study.getJobsSucceeded() < study.getJobsTotal(), "stopped halfway: " + study.getJobsSucceeded());

        assertEquals(0, stack.down().exitCode());
        stack.up();
        LocalStack.CliResult run = stack.cli("study", "run", file.toString(), "--out", temp.resolve("reports").toString(), "--json");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(study.getId(), run.json().get("study_id").asText());

        Study after = StudiesGrpc.newBlockingStub(stack.channel("registry")).getStudy(GetStudyRequest.newBuilder().setId(study.getId()).build());
        assertEquals(StudyState.STUDY_STATE_FINISHED, after.getState());
        assertEquals(11, after.getJobsTotal(), "no job was added");
        StringBuilder failures = new StringBuilder();
        for (StudyJob cell : after.getJobsList()) {
            if (cell.getState() != JobState.JOB_STATE_SUCCEEDED) {
                failures.append(cell.getJobId()).append(' ').append(cell.getState()).append(": ").append(job(cell.getJobId()).getError()).append('\n');
            }
        }
        assertEquals(11, after.getJobsSucceeded(), failures.toString());
        for (Map.Entry<String, Job> before : finishedBefore.entrySet()) {
            Job now = job(before.getKey());
            assertEquals(before.getValue().getFinishedAt(), now.getFinishedAt(), "finished job " + before.getKey() + " was not redone");
            assertEquals(before.getValue().getAttempts(), now.getAttempts());
        }
    }

    private static Job job(String id) {
        return JobsGrpc.newBlockingStub(stack.channel("registry")).getJob(GetJobRequest.newBuilder().setId(id).build());
    }
}
