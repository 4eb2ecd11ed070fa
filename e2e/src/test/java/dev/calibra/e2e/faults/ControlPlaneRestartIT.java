package dev.calibra.e2e.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.proto.v1.CreateStudyRequest;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.GetStudyRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import dev.calibra.proto.v1.StudyState;
import dev.calibra.proto.v1.SubmitJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two things every worker depends on go away and come back while the workers keep running: the
 * registry (kill -9 mid-study, then a new registry process) and PostgreSQL (a clean restart under a
 * running registry). In both cases the same worker processes carry on with no manual step beyond
 * starting what stopped, and nothing is registered twice.
 */
class ControlPlaneRestartIT {

    /** The compression-service's lease (CALIBRA_WORKER_LEASE_SECONDS), short so that an outage outlasts it. */
    private static final int LEASE_SECONDS = 10;

    private static LocalStack stack;
    private static String model;

    @BeforeAll
    static void ownStack() {
        // Its own stack: these tests kill and restart its processes.
        stack = Faults.freshStack("fault-restarts", 9510, Map.of("CALIBRA_WORKER_LEASE_SECONDS", Integer.toString(LEASE_SECONDS)));
        model = Faults.registerStories(stack, "restart-stories");
        Faults.addCorpus(stack, "restart-tinystories", Faults.TINYSTORIES);
    }

    @BeforeEach
    void wholeStack() {
        stack.up();   // a test that failed halfway may have left something stopped
    }

    @AfterAll
    static void down() {
        stack.down();
    }

    @Test
    void registryKilledMidStudy_workersReconnect_studyFinishesWithEachResultRegisteredOnce() throws Exception {
        // dense + 2 methods: 1 CALIBRATE, 2 COMPRESS, 3 EVALUATE jobs, in three waves of dependencies
        String yaml = """
                name: registry-restart
                models: [%s]
                include_dense: true
                methods:
                  - {method: gptq, bits: 4}
                  - {method: wanda, sparsity: 0.5}
                sources:
                  - {label: tinystories, strategy: random_window, corpus: %s, n_samples: 16, seq_len: 128, sets: 1, seed: 5}
                evaluation:
                  tasks: [copa]
                  limit: 50
                """.formatted("restart-stories", "restart-tinystories");
        StudiesGrpc.StudiesBlockingStub studies = StudiesGrpc.newBlockingStub(stack.channel("registry"));
        Study study = studies.createStudy(CreateStudyRequest.newBuilder().setSpecYaml(yaml)
                .setRequestId(UUID.randomUUID().toString()).build());
        assertEquals(6, study.getJobsTotal(), study.toString());
        GetStudyRequest getStudy = GetStudyRequest.newBuilder().setId(study.getId()).build();

        // Kill it while a COMPRESS job is in flight, past its first checkpoint, and keep it away for longer
        // than that job's lease: the job must be handed to a new attempt without losing or doubling work.
        String compressing = awaitCompressCheckpoint(study);
        Map<String, Long> workers = workerPids();
        stack.kill("registry");
        StatusRuntimeException away = assertFails(() -> studies.getStudy(getStudy));
        assertEquals(Status.Code.UNAVAILABLE, away.getStatus().getCode(), away.toString());
        Thread.sleep((LEASE_SECONDS + 2) * 1000L);   // the workers' calls fail meanwhile; the lease runs out
        stack.up();           // starts a registry; the workers are alive and healthy, so they are kept
        assertEquals(workers, workerPids(), "no worker was restarted");

        // The test's channel saw the registry die; like any client it retries UNAVAILABLE until it reconnects.
        study = Faults.retryWhileUnavailable(() -> studies.getStudy(getStudy), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (study.getState() != StudyState.STUDY_STATE_FINISHED) {
            assertTrue(System.nanoTime() < deadline, "the study should finish within 5 minutes of the restart: " + study);
            assertEquals(0, study.getJobsFailed() + study.getJobsCancelled(), describeJobs(study));
            Thread.sleep(500);
            study = studies.getStudy(getStudy);
        }
        assertEquals(study.getJobsTotal(), study.getJobsSucceeded(), study.toString());
        for (StudyJob cell : study.getJobsList()) {
            Job job = Faults.job(stack, cell.getJobId());
            System.out.printf("ControlPlaneRestartIT: %s %s %s attempts %d%n", job.getId(), job.getType(), job.getState(),
                    job.getAttempts());
            Faults.assertRegisteredOnce(stack, job);
        }
        assertTrue(Faults.job(stack, compressing).getAttempts() >= 2, "the lease ran out during the outage: a second attempt");
        Faults.assertNoUnregisteredModelFolders(stack);
    }

    @Test
    void postgresRestart_clientsSeeUnavailableThenSuccess_workersRecoverWithoutRestart() throws Exception {
        GetModelRequest getModel = GetModelRequest.newBuilder().setId(model).build();
        Faults.retryWhileUnavailable(() -> Faults.registry(stack).getModel(getModel), Duration.ofSeconds(30));
        Map<String, Long> workers = workerPids();
        long registryPid = stack.pid("registry");
        long databasePid = stack.pid("postgres");

        stack.stopDatabase();
        // Every registry call fails fast with UNAVAILABLE (the pool's acquisition timeout bounds the wait).
        StatusRuntimeException down = assertFails(() -> Faults.registry(stack).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getModel(getModel));
        assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode(), "GetModel while PostgreSQL is down: " + down);
        StatusRuntimeException submit = assertFails(() -> Faults.jobs(stack).withDeadlineAfter(30, TimeUnit.SECONDS)
                .submitJob(evaluation()));
        assertEquals(Status.Code.UNAVAILABLE, submit.getStatus().getCode(), "SubmitJob while PostgreSQL is down: " + submit);
        LocalStack.CliResult cli = stack.cli("models", "show", model, "--json");
        assertEquals(1, cli.exitCode(), cli.stdout());
        assertEquals("UNAVAILABLE", cli.json().get("error").get("code").asText(), cli.stdout());

        stack.up();   // starts PostgreSQL again on the same port and data; the services are kept
        assertNotEquals(databasePid, stack.pid("postgres"), "a new PostgreSQL process");
        assertEquals(registryPid, stack.pid("registry"), "the registry was not restarted");
        assertEquals(workers, workerPids(), "no worker was restarted");

        // The same registry process answers again once its pool reconnects; until then only UNAVAILABLE.
        List<Status.Code> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                assertEquals(model, Faults.registry(stack).getModel(getModel).getId());
                break;
            } catch (StatusRuntimeException e) {
                seen.add(e.getStatus().getCode());
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "while reconnecting: " + e);
                assertTrue(System.nanoTime() < deadline, "the registry did not recover within 60 s: " + e);
                Thread.sleep(500);
            }
        }
        System.out.println("ControlPlaneRestartIT: failed calls once PostgreSQL was back: " + seen);

        // The workers' claim loops survived the outage: a new job is claimed and finished by the same processes.
        Job done = Faults.awaitFinished(stack, Faults.jobs(stack).submitJob(evaluation()).getId(), Duration.ofMinutes(3));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertEquals(1, done.getAttempts(), done.toString());
        Faults.assertRegisteredOnce(stack, done);
    }

    private static String describeJobs(Study study) {
        StringBuilder text = new StringBuilder("jobs of study " + study.getId() + ":");
        for (StudyJob cell : study.getJobsList()) {
            Job job = Faults.job(stack, cell.getJobId());
            text.append("\n  ").append(job.getId()).append(' ').append(job.getType()).append(' ').append(job.getState())
                    .append(" attempts ").append(job.getAttempts()).append(' ').append(job.getError());
        }
        return text.toString();
    }

    /** The id of the study's COMPRESS job once it is RUNNING and has written a block checkpoint. */
    private static String awaitCompressCheckpoint(Study study) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            for (StudyJob cell : study.getJobsList()) {
                if (cell.getType() == JobType.JOB_TYPE_COMPRESS) {
                    Job job = Faults.job(stack, cell.getJobId());
                    if (job.getState() == JobState.JOB_STATE_RUNNING && !job.getCheckpointUri().isEmpty()) {
                        return job.getId();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no COMPRESS job of study " + study.getId() + " reached a checkpoint within 3 minutes");
    }

    private static Map<String, Long> workerPids() {
        return Map.of("calibration", stack.pid("calibration"), "compression", stack.pid("compression"),
                "evaluation", stack.pid("evaluation"));
    }

    private static SubmitJobRequest evaluation() {
        return SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                .setModelId(model).addTasks("copa").setLimit(20))).build();
    }

    private static StatusRuntimeException assertFails(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded while the service was down");
    }
}
