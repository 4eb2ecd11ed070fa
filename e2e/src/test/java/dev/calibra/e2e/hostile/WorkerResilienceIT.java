package dev.calibra.e2e.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.e2e.faults.Faults;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.SubmitJobRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Workers under hostile input and a store being collected: a job that exhausts the heap and a gzip bomb
 * each end FAILED with the reason while the worker goes on to the next job; `calibra gc` run in a loop while a
 * calibration, a multi-block compression (killed and resumed) and an evaluation run leaves every job
 * finished and every registered artifact complete. Workers run with a small heap (CALIBRA_WORKER_HEAP).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerResilienceIT {

    private static final Duration JOB_LIMIT = Duration.ofMinutes(5);
    private static LocalStack stack;
    private static String model;

    @BeforeAll
    static void up() {
        stack = Faults.freshStack("resilience", 9610, Map.of("CALIBRA_WORKER_HEAP", "192m", "CALIBRA_WORKER_LEASE_SECONDS", "10"));
        model = Faults.registerStories(stack, "resilience-stories");
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    @Order(1)
    void aJobThatExhaustsTheHeap_andAGzipBomb_failWithTheReason_andTheWorkerRunsTheNextJob() throws Exception {
        Path inputs = Files.createDirectories(stack.stateDir().resolve("inputs"));
        Path huge = inputs.resolve("huge.txt");          // 200 MB of text, read whole: more than a 192 MB heap holds
        byte[] line = "the quick brown fox jumps over the lazy dog and runs far away into the woods\n".repeat(1000)
                .getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(huge)) {
            for (long written = 0; written < (200L << 20); written += line.length) {
                out.write(line);
            }
        }
        Path bomb = inputs.resolve("bomb.txt.gz");       // 100 KB that decompresses to 300 MB
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb), 1 << 16)) {
            for (long written = 0; written < (300L << 20); written += line.length) {
                out.write(line);
            }
        }
        long evalPid = stack.pid("evaluation");
        Map<Path, String> reasons = new LinkedHashMap<>();
        reasons.put(huge, "OutOfMemoryError");
        reasons.put(bomb, "once decompressed");
        for (Map.Entry<Path, String> input : reasons.entrySet()) {
            // registered as corpora: perplexity reads a registered corpus whole (and decompresses .gz)
            String corpus = CalibrationGrpc.newBlockingStub(stack.channel("calibration")).addCorpus(AddCorpusRequest.newBuilder()
                    .setName("hostile-" + input.getKey().getFileName()).setPath(input.getKey().toString())
                    .setDocumentRule("lines").build()).getId();
            Job failed = finish(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder()
                    .setModelId(model).addPerplexity(PerplexitySpec.newBuilder().setName("hostile")
                            .setCorpusId(corpus).setSeqLen(16)))).build());
            assertEquals(JobState.JOB_STATE_FAILED, failed.getState(), failed.toString());
            assertTrue(failed.getError().contains(input.getValue()), "the job says why: " + failed.getError());
            assertEquals(1, failed.getAttempts(), "not retried: the next worker would fall the same way");

            Job next = finish(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setEvaluate(
                    EvaluateRequest.newBuilder().setModelId(model).addTasks("copa").setLimit(5))).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, next.getState(), "the worker claimed and ran the next job: " + next);
        }
        System.out.println("WorkerResilienceIT: the eval worker after both jobs: pid " + stack.pid("evaluation")
                + (stack.pid("evaluation") == evalPid ? " (the same process came back)" : " (replaced)"));
    }

    @Test
    @Order(2)
    void gcInALoop_whileJobsRunAndOneIsKilledAndResumed_everyJobFinishes_everyArtifactComplete() throws Exception {
        String corpus = Faults.addCorpus(stack, "gc-c4", Faults.C4);
        String set = Faults.drawSet(stack, model, corpus, 16, 128, 7);
        Path orphan = Faults.teamArtifacts(stack).resolve("models/orphan-of-a-dead-job");
        Files.createDirectories(orphan);
        Files.writeString(orphan.resolve("model.safetensors"), "left by a process killed before it registered");
        age(orphan);

        AtomicBoolean stop = new AtomicBoolean();
        List<String> gcFailures = new ArrayList<>();
        int[] runs = {0};
        Thread loop = new Thread(() -> {
            while (!stop.get()) {
                // as if the running compression had been at it for hours: its early blocks are old
                age(Faults.teamArtifacts(stack).resolve("checkpoints"));
                age(Faults.teamArtifacts(stack).resolve("models"));
                LocalStack.CliResult gc = stack.cli("gc", "--min-age", "PT5M", "--json");
                runs[0]++;
                if (gc.exitCode() != 0) {
                    gcFailures.add(gc.stdout() + gc.stderr());
                }
            }
        }, "gc-loop");
        loop.start();
        try {
            Job calibrate = submit(JobSpec.newBuilder().setCalibrate(SampleCalibrationSetRequest.newBuilder()
                    .setSpec(Faults.randomWindow(model, corpus, 64, 128, 13))).build());
            Job compress = submit(JobSpec.newBuilder().setCompress(CompressRequest.newBuilder().setModelId(model)
                    .setCalibrationSetId(set).setMethod("gptq")
                    .setParameters(CompressionParameters.newBuilder().setBits(4).setTrueSequential(true).setBatchSize(1))).build());
            Job evaluate = submit(JobSpec.newBuilder().setEvaluate(EvaluateRequest.newBuilder().setModelId(model)
                    .addTasks("copa").addTasks("piqa").setLimit(100)).build());

            // kill the compression worker once it has checkpointed a block; the restarted one resumes
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Job running = Faults.job(stack, compress.getId());
            while (running.getCheckpointUri().isEmpty() && running.getState() != JobState.JOB_STATE_SUCCEEDED) {
                assertTrue(System.nanoTime() < deadline, "no checkpoint within 3 minutes: " + running);
                Thread.sleep(50);
                running = Faults.job(stack, compress.getId());
            }
            boolean killed = running.getState() == JobState.JOB_STATE_RUNNING;
            if (killed) {
                stack.kill("compression");
                stack.up();
            }
            for (Job job : List.of(calibrate, compress, evaluate)) {
                Job done = Faults.awaitFinished(stack, job.getId(), JOB_LIMIT);
                assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
                Faults.assertRegisteredOnce(stack, done);
            }
            System.out.println("WorkerResilienceIT: compression killed mid-job: " + killed + "; attempts "
                    + Faults.job(stack, compress.getId()).getAttempts());
        } finally {
            stop.set(true);
            loop.join(Duration.ofMinutes(2).toMillis());
        }
        assertEquals(List.of(), gcFailures, "every gc run succeeded");
        assertTrue(runs[0] >= 2, "gc ran while the jobs ran: " + runs[0] + " runs");
        assertFalse(Files.exists(orphan), "gc did remove what no record or job holds");
        assertTrue(Files.isDirectory(Faults.artifacts(stack).resolve(".tmp")), "the store's scratch folder stays");
        System.out.println("WorkerResilienceIT: gc ran " + runs[0] + " times while the jobs ran");
    }

    private static Job submit(JobSpec spec) {
        return Faults.jobs(stack).submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build());
    }

    private static Job finish(SubmitJobRequest request) throws InterruptedException {
        return Faults.awaitFinished(stack, Faults.jobs(stack).submitJob(request).getId(), JOB_LIMIT);
    }

    /** Sets every file and folder under {@code root} two days back; missing or vanishing paths are skipped. */
    private static void age(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        FileTime old = FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS));
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.toList()) {
                try {
                    Files.setLastModifiedTime(path, old);
                } catch (IOException vanished) {
                    // written or removed meanwhile
                }
            }
        } catch (IOException | java.io.UncheckedIOException vanished) {
            // a folder was removed while walking
        }
    }
}
