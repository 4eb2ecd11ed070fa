package dev.calibra.e2e.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.e2e.LocalStack;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListCalibrationSetsRequest;
import dev.calibra.proto.v1.ListCalibrationSetsResponse;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListModelsResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.QueryScoresResponse;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.WeightedCorpus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the fault tests check after a failure: where a job ended up, and that the registry and the artifact
 * store agree (every record of a job exactly once, its artifact complete, no artifact without a record).
 */
public final class Faults {

    public static final Path STORIES = LocalStack.assets().resolve("models/stories260K");
    public static final Path TINYSTORIES = LocalStack.assets().resolve("corpora/tinystories_valid_first.txt");
    public static final Path C4 = LocalStack.assets().resolve("corpora/c4_en_train00000_first1000.jsonl");

    private static final Set<JobState> FINISHED = Set.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED,
            JobState.JOB_STATE_CANCELLED);

    private Faults() {}

    /**
     * A stack of its own under target/stacks/NAME, started from an empty state directory (no records, no
     * artifacts from an earlier run, whose finished work would otherwise be reused), for tests that kill
     * or restart its processes.
     */
    public static LocalStack freshStack(String name, int portBase, Map<String, String> env) {
        LocalStack stack = LocalStack.create(name, portBase, env);
        stack.down();
        try (Stream<Path> files = Files.exists(stack.stateDir()) ? Files.walk(stack.stateDir()) : Stream.empty()) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + stack.stateDir(), e);
        }
        stack.up();
        return stack;
    }

    /** Registers the shared assets' stories260K model (through the CLI, which hashes and inspects the folder). */
    public static String registerStories(LocalStack stack, String name) {
        LocalStack.CliResult result = stack.cli("models", "register", "--path", STORIES.toString(), "--name", name, "--json");
        assertEquals(0, result.exitCode(), "models register:\n" + result.stdout() + result.stderr());
        return result.json().get("id").asText();
    }

    /** Scans and registers a corpus through the calibration-service (Calibration.AddCorpus). */
    public static String addCorpus(LocalStack stack, String name, Path file) {
        return CalibrationGrpc.newBlockingStub(stack.channel("calibration"))
                .addCorpus(AddCorpusRequest.newBuilder().setName(name).setPath(file.toString()).build()).getId();
    }

    /** Draws and registers a random_window calibration set directly (not as a job). */
    public static String drawSet(LocalStack stack, String model, String corpus, int samples, int seqLen, long seed) {
        return CalibrationGrpc.newBlockingStub(stack.channel("calibration"))
                .sampleCalibrationSet(SampleCalibrationSetRequest.newBuilder().setSpec(randomWindow(model, corpus, samples,
                        seqLen, seed)).build()).getId();
    }

    public static CalibrationSpec randomWindow(String model, String corpus, int samples, int seqLen, long seed) {
        return CalibrationSpec.newBuilder().setStrategy("random_window").setModelId(model).setNSamples(samples)
                .setSeqLen(seqLen).setSeed(seed).addCorpora(WeightedCorpus.newBuilder().setCorpusId(corpus).setWeight(1)).build();
    }

    public static JobsGrpc.JobsBlockingStub jobs(LocalStack stack) {
        return JobsGrpc.newBlockingStub(stack.channel("registry"));
    }

    public static RegistryGrpc.RegistryBlockingStub registry(LocalStack stack) {
        return RegistryGrpc.newBlockingStub(stack.channel("registry"));
    }

    public static Job job(LocalStack stack, String id) {
        return jobs(stack).getJob(GetJobRequest.newBuilder().setId(id).build());
    }

    /** Polls until the job is SUCCEEDED, FAILED or CANCELLED; fails the test after {@code limit}. */
    public static Job awaitFinished(LocalStack stack, String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Job job = job(stack, id);
        while (!FINISHED.contains(job.getState())) {
            assertTrue(System.nanoTime() < deadline, "job " + id + " did not finish within " + limit + ": " + job);
            Thread.sleep(250);
            job = job(stack, id);
        }
        return job;
    }

    /** Polls until a worker holds the job (RUNNING); fails when it finished first or after {@code limit}. */
    public static Job awaitRunning(LocalStack stack, String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Job job = job(stack, id);
        while (job.getState() != JobState.JOB_STATE_RUNNING) {
            assertTrue(job.getState() == JobState.JOB_STATE_PENDING, "job " + id + " finished before the fault: " + job);
            assertTrue(System.nanoTime() < deadline, "job " + id + " was not claimed within " + limit + ": " + job);
            Thread.sleep(20);
            job = job(stack, id);
        }
        return job;
    }

    public static List<Model> modelsProducedBy(LocalStack stack, String jobId) {
        List<Model> found = new ArrayList<>();
        String token = "";
        do {
            ListModelsResponse page = registry(stack).listModels(ListModelsRequest.newBuilder().setPageSize(1000)
                    .setPageToken(token).build());
            page.getModelsList().stream().filter(m -> m.getProducingJobId().equals(jobId)).forEach(found::add);
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return found;
    }

    public static List<CalibrationSet> setsProducedBy(LocalStack stack, String jobId) {
        List<CalibrationSet> found = new ArrayList<>();
        String token = "";
        do {
            ListCalibrationSetsResponse page = registry(stack).listCalibrationSets(ListCalibrationSetsRequest.newBuilder()
                    .setPageSize(1000).setPageToken(token).build());
            page.getCalibrationSetsList().stream().filter(s -> s.getProducingJobId().equals(jobId)).forEach(found::add);
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return found;
    }

    public static List<Score> scoresProducedBy(LocalStack stack, String modelId, String jobId) {
        List<Score> found = new ArrayList<>();
        String token = "";
        do {
            QueryScoresResponse page = registry(stack).queryScores(QueryScoresRequest.newBuilder().setModelId(modelId)
                    .setPageSize(1000).setPageToken(token).build());
            page.getScoresList().stream().filter(s -> s.getProducingJobId().equals(jobId)).forEach(found::add);
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return found;
    }

    /**
     * What a well-behaved client does after a restart: retries calls that fail with UNAVAILABLE (the channel
     * reconnects with backoff) until they succeed or {@code limit} passes; any other status fails at once.
     */
    public static <T> T retryWhileUnavailable(Supplier<T> call, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** A SUCCEEDED job's results are registered exactly once, each with its complete artifact. */
    public static void assertRegisteredOnce(LocalStack stack, Job job) {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState(), job.toString());
        switch (job.getType()) {
            case JOB_TYPE_CALIBRATE -> {
                List<CalibrationSet> sets = setsProducedBy(stack, job.getId());
                assertEquals(job.getResultIdsList(), sets.stream().map(CalibrationSet::getId).toList(),
                        "one calibration set per CALIBRATE job, and it is the job's result");
                Path file = Path.of(URI.create(sets.get(0).getArtifactUri()));
                assertTrue(Files.isRegularFile(file) && Files.isRegularFile(file.resolveSibling("set.json")),
                        "the set's artifact is complete: " + file);
            }
            case JOB_TYPE_COMPRESS -> {
                List<Model> models = modelsProducedBy(stack, job.getId());
                assertEquals(job.getResultIdsList(), models.stream().map(Model::getId).toList(),
                        "one model per COMPRESS job, and it is the job's result");
                Path folder = Path.of(URI.create(models.get(0).getArtifactUri()));
                for (String file : List.of("config.json", "model.safetensors", "calibra_compression.json")) {
                    assertTrue(Files.isRegularFile(folder.resolve(file)), "the model's artifact has " + file + ": " + folder);
                }
                assertTrue(Files.notExists(teamArtifacts(stack).resolve("checkpoints").resolve(job.getId())),
                        "a finished job's checkpoints are removed");
            }
            case JOB_TYPE_EVALUATE -> {
                String modelId = job.getSpec().getEvaluate().getModelId();
                List<String> scores = scoresProducedBy(stack, modelId, job.getId()).stream().map(Score::getId).sorted().toList();
                assertEquals(job.getResultIdsList().stream().sorted().toList(), scores,
                        "the EVALUATE job's scores, recorded once (no second set from the killed attempt)");
                assertTrue(!scores.isEmpty(), "scores recorded");
            }
            default -> throw new IllegalArgumentException("unexpected job type " + job.getType());
        }
    }

    public static Path artifacts(LocalStack stack) {
        return stack.stateDir().resolve("artifacts");
    }

    /** The default team's folder in the store (StoreLayout): the stack's admin key belongs to team default. */
    public static Path teamArtifacts(LocalStack stack) {
        return artifacts(stack).resolve("teams/default");
    }

    /** Entries directly under the default team's {folder} in the store (e.g. "models", "checkpoints"), or none. */
    public static List<Path> entries(LocalStack stack, String folder) {
        Path dir = teamArtifacts(stack).resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every folder under the default team's models/ is the artifact of a registered model: no orphan output. */
    public static void assertNoUnregisteredModelFolders(LocalStack stack) {
        List<Path> registered = new ArrayList<>();
        String token = "";
        do {
            ListModelsResponse page = registry(stack).listModels(ListModelsRequest.newBuilder().setPageSize(1000)
                    .setPageToken(token).build());
            page.getModelsList().stream().filter(m -> m.getArtifactUri().startsWith("file:"))
                    .map(m -> Path.of(URI.create(m.getArtifactUri())).normalize()).forEach(registered::add);
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        for (Path folder : entries(stack, "models")) {
            assertTrue(registered.contains(folder.normalize()), "artifact " + folder + " belongs to no registered model");
        }
    }
}
