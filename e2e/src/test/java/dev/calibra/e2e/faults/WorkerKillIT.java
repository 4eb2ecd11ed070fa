package dev.calibra.e2e.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.SubmitJobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of each worker service (calibration, compression, evaluation) while it runs a job: once the dead
 * worker's lease runs out, the restarted service claims the job again and finishes it, and each job's
 * results are registered exactly once with complete artifacts. The three faults share one stack and one
 * lease wait: each job is submitted, seen RUNNING, and its worker killed, then `stack up` restarts them.
 */
class WorkerKillIT {

    private static final Duration RECOVERY = Duration.ofMinutes(5);
    private static LocalStack stack;

    @BeforeAll
    static void ownStack() {
        // Its own stack: this test kills processes. Short leases where a worker reads them (compression).
        stack = Faults.freshStack("fault-workers", 9500, Map.of("CALIBRA_WORKER_LEASE_SECONDS", "10"));
    }

    @AfterAll
    static void down() {
        stack.down();
    }

    @Test
    void killMinus9OfEachWorkerMidJob_jobFinishesOnTheRestartedWorker_registeredOnce() throws Exception {
        String model = Faults.registerStories(stack, "kill-stories");
        String tinystories = Faults.addCorpus(stack, "kill-tinystories", Faults.TINYSTORIES);
        // A corpus no job has tokenized yet: the CALIBRATE job below spends seconds building its token index.
        String c4 = Faults.addCorpus(stack, "kill-c4", Faults.C4);
        String set = Faults.drawSet(stack, model, tinystories, 16, 128, 3);

        Map<String, JobSpec> specs = new LinkedHashMap<>();
        specs.put("calibration", JobSpec.newBuilder().setCalibrate(SampleCalibrationSetRequest.newBuilder()
                .setSpec(Faults.randomWindow(model, c4, 64, 128, 11))).build());
        specs.put("compression", JobSpec.newBuilder().setCompress(CompressRequest.newBuilder().setModelId(model)
                .setCalibrationSetId(set).setMethod("gptq")
                .setParameters(CompressionParameters.newBuilder().setBits(4).setTrueSequential(true).setBatchSize(1)))
                .build());
        specs.put("evaluation", JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model)
                .addTasks("copa").addTasks("piqa").setLimit(100)).build());

        Map<String, Job> killedDuring = new LinkedHashMap<>();
        for (Map.Entry<String, JobSpec> entry : specs.entrySet()) {
            String service = entry.getKey();
            long pid = stack.pid(service);
            String id = Faults.jobs(stack).submitJob(SubmitJobRequest.newBuilder().setSpec(entry.getValue()).build()).getId();
            Job running = Faults.awaitRunning(stack, id, Duration.ofMinutes(2));
            stack.kill(service);
            Job afterKill = Faults.job(stack, id);
            assertEquals(JobState.JOB_STATE_RUNNING, afterKill.getState(), service + " was killed mid-job: " + afterKill);
            assertTrue(running.getLeaseOwner().contains(":" + pid + "-"), "the killed process held the lease: " + running);
            killedDuring.put(service, afterKill);
        }

        stack.up();   // what an operator (or a supervisor) does: start what is not running
        for (Map.Entry<String, Job> killed : killedDuring.entrySet()) {
            String service = killed.getKey();
            Job done = Faults.awaitFinished(stack, killed.getValue().getId(), RECOVERY);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), service + " job after the kill: " + done);
            assertEquals(2, done.getAttempts(), service + ": the restarted worker ran the second attempt");
            Faults.assertRegisteredOnce(stack, done);
        }
        Faults.assertNoUnregisteredModelFolders(stack);
        assertTrue(Faults.entries(stack, "checkpoints").isEmpty(), "no checkpoints left: " + Faults.entries(stack, "checkpoints"));
        // kill -9 cannot clean up: what the dead attempts left in the store's scratch folder (never visible as artifacts).
        try (Stream<Path> partial = Files.list(Faults.artifacts(stack).resolve(".tmp"))) {
            System.out.println("WorkerKillIT: left in artifacts/.tmp by the killed workers: " + partial.toList());
        }
    }
}
