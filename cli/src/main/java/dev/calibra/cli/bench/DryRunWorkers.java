package dev.calibra.cli.bench;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.CompressRequest;
import dev.calibra.proto.v1.CompressionLineage;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegisterCalibrationSetRequest;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Workers that do the queue's work and none of the model work: each claims a job over its own connection,
 * makes the registry calls the real worker of that type makes (RegisterCalibrationSet, RegisterModel on a
 * folder written to the team's store, RecordScores), and completes it. What they measure is the registry
 * and the queue under a study's load.
 */
final class DryRunWorkers {

    private static final List<JobType> TYPES = List.of(JobType.JOB_TYPE_CALIBRATE, JobType.JOB_TYPE_COMPRESS, JobType.JOB_TYPE_EVALUATE);
    private static final int LEASE_SECONDS = 60;
    /** The most error samples kept; the run stops after this many errors rather than spinning. */
    private static final int MAX_ERRORS = 20;
    private static final long IDLE_POLL_MILLIS = 2;
    static final List<String> CALLS = List.of("claim_job", "register_calibration_set", "register_model", "record_scores", "complete_job");

    /** A drain's counts, and the latencies of each call kind over every worker. */
    record Result(double seconds, int claims, int emptyClaims, int errors, List<String> errorSamples,
            Map<String, Latencies> latencies) {}

    private final Supplier<Services> connect;
    private final String team;
    private final Path store;
    private final int evaluations;

    /**
     * @param connect opens one worker's own connection
     * @param store the artifact store's root, where the registry looks for what is registered
     * @param evaluations scores an EVALUATE job records, for a check that its spec asked for as many
     */
    DryRunWorkers(Supplier<Services> connect, String team, Path store, int evaluations) {
        this.connect = connect;
        this.team = team;
        this.store = store;
        this.evaluations = evaluations;
    }

    /** Runs the workers until {@code jobs} jobs have been completed (or too many calls failed). */
    Result drain(int workers, int jobs) throws InterruptedException {
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger claims = new AtomicInteger();
        AtomicInteger empty = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
        List<Worker> all = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(workers);
        long start = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            Worker worker = new Worker("dry-run-" + i, i, jobs, completed, claims, empty, errors, samples);
            all.add(worker);
            Thread thread = new Thread(() -> {
                try {
                    worker.run();
                } finally {
                    done.countDown();
                }
            }, worker.id);
            thread.setDaemon(true);
            thread.start();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Latencies> latencies = new LinkedHashMap<>();
        for (int call = 0; call < CALLS.size(); call++) {
            int index = call;
            int count = all.stream().mapToInt(worker -> worker.counts[index]).sum();
            long[] nanos = new long[count];
            int at = 0;
            for (Worker worker : all) {
                System.arraycopy(worker.nanos[index], 0, nanos, at, worker.counts[index]);
                at += worker.counts[index];
            }
            latencies.put(CALLS.get(call), Latencies.of(nanos, count));
        }
        return new Result(seconds, claims.get(), empty.get(), errors.get(), List.copyOf(samples), latencies);
    }

    private final class Worker {
        private final String id;
        private final int jobs;
        private final AtomicInteger completed;
        private final AtomicInteger claims;
        private final AtomicInteger empty;
        private final AtomicInteger errors;
        private final ConcurrentLinkedQueue<String> samples;
        private final Random values;
        private final long[][] nanos = new long[CALLS.size()][1024];
        private final int[] counts = new int[CALLS.size()];

        Worker(String id, int seed, int jobs, AtomicInteger completed, AtomicInteger claims, AtomicInteger empty,
                AtomicInteger errors, ConcurrentLinkedQueue<String> samples) {
            this.id = id;
            this.jobs = jobs;
            this.completed = completed;
            this.claims = claims;
            this.empty = empty;
            this.errors = errors;
            this.samples = samples;
            this.values = new Random(seed);
        }

        void run() {
            try (Services services = connect.get()) {
                JobsGrpc.JobsBlockingStub queue = JobsGrpc.newBlockingStub(services.channel("registry"));
                RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(services.channel("registry"));
                while (completed.get() < jobs && errors.get() < MAX_ERRORS) {
                    try {
                        long start = System.nanoTime();
                        ClaimJobResponse claimed = queue.withDeadlineAfter(30, TimeUnit.SECONDS).claimJob(ClaimJobRequest.newBuilder()
                                .setWorkerId(id).addAllTypes(TYPES).setLeaseSeconds(LEASE_SECONDS).build());
                        record(0, start);
                        if (!claimed.hasJob()) {
                            empty.incrementAndGet();
                            Thread.sleep(IDLE_POLL_MILLIS);
                            continue;
                        }
                        claims.incrementAndGet();
                        Job job = claimed.getJob();
                        String result = switch (job.getType()) {
                            case JOB_TYPE_CALIBRATE -> calibrate(registry, job);
                            case JOB_TYPE_COMPRESS -> compress(registry, job);
                            case JOB_TYPE_EVALUATE -> evaluate(registry, job);
                            default -> throw new IllegalStateException("job " + job.getId() + " has type " + job.getType());
                        };
                        start = System.nanoTime();
                        queue.withDeadlineAfter(30, TimeUnit.SECONDS).completeJob(CompleteJobRequest.newBuilder()
                                .setJobId(job.getId()).setWorkerId(id).setAttempt(job.getAttempts()).addResultIds(result).build());
                        record(4, start);
                        completed.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (IOException | RuntimeException e) {
                        errors.incrementAndGet();
                        if (samples.size() < MAX_ERRORS) {
                            samples.add(id + ": " + e);
                        }
                    }
                }
            }
        }

        private String calibrate(RegistryGrpc.RegistryBlockingStub registry, Job job) throws IOException {
            Path folder = Files.createDirectories(store.resolve(StoreLayout.calibration(team, "dry-run-" + job.getId())));
            Path samplesFile = Files.writeString(folder.resolve("samples.safetensors"), "dry run of " + job.getId(),
                    StandardCharsets.UTF_8);
            String fingerprint = ContentHash.ofFile(samplesFile);
            long start = System.nanoTime();
            String setId = registry.registerCalibrationSet(RegisterCalibrationSetRequest.newBuilder().setCalibrationSet(
                    CalibrationSet.newBuilder().setFingerprint(fingerprint).setSpec(job.getSpec().getCalibrate().getSpec())
                            .setSamplerVersion("dry-run").setTokenizerSha256(fingerprint).setArtifactUri(folder.toString())
                            .setProducingJobId(job.getId()))
                    .setProducingWorkerId(id).setProducingAttempt(job.getAttempts()).build()).getId();
            record(1, start);
            return setId;
        }

        private String compress(RegistryGrpc.RegistryBlockingStub registry, Job job) throws IOException {
            CompressRequest request = job.getSpec().getCompress();
            Path folder = Files.createDirectories(store.resolve(StoreLayout.model(team, job.getId())));
            Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"dry_run\": true}");
            Files.writeString(folder.resolve("model.safetensors"), "dry run of " + job.getId());
            long start = System.nanoTime();
            String modelId = registry.registerModel(RegisterModelRequest.newBuilder().setName(request.getOutputName())
                    .setArtifactUri(folder.toString()).setArchitecture("LlamaForCausalLM").setParameterCount(260_000)
                    .setDtype("float32").setParentModelId(request.getModelId()).setProducingJobId(job.getId())
                    .setProducingWorkerId(id).setProducingAttempt(job.getAttempts())
                    .setCompression(CompressionLineage.newBuilder().setMethod(request.getMethod())
                            .setCalibrationSetId(request.getCalibrationSetId()))
                    .build()).getId();
            record(2, start);
            return modelId;
        }

        private String evaluate(RegistryGrpc.RegistryBlockingStub registry, Job job) {
            EvaluateRequest request = job.getSpec().getEvaluate();
            RecordScoresRequest.Builder scores = RecordScoresRequest.newBuilder().setProducingWorkerId(id)
                    .setProducingAttempt(job.getAttempts());
            for (String task : request.getTasksList()) {
                scores.addScores(Score.newBuilder().setModelId(request.getModelId()).setTask(task).setMetric("acc")
                        .setValue(0.25 + 0.5 * values.nextDouble()).setStderr(0.01).setN(1000).setProducingJobId(job.getId()));
            }
            request.getPerplexityList().forEach(text -> scores.addScores(Score.newBuilder().setModelId(request.getModelId())
                    .setTask(text.getName()).setMetric("word_perplexity").setValue(10 + 40 * values.nextDouble()).setN(1000)
                    .setProducingJobId(job.getId())));
            if (scores.getScoresCount() != evaluations) {
                throw new IllegalStateException("job " + job.getId() + " asks for " + scores.getScoresCount() + " evaluations, not "
                        + evaluations);
            }
            long start = System.nanoTime();
            registry.recordScores(scores.build());
            record(3, start);
            return job.getId();
        }

        private void record(int call, long start) {
            long elapsed = System.nanoTime() - start;
            if (counts[call] == nanos[call].length) {
                nanos[call] = java.util.Arrays.copyOf(nanos[call], nanos[call].length * 2);
            }
            nanos[call][counts[call]++] = elapsed;
        }
    }
}
