package dev.calibra.evaluation.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.calibra.evaluation.perplexity.Convention;
import dev.calibra.evaluation.perplexity.CorpusDocuments;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator;
import dev.calibra.evaluation.perplexity.PerplexityScores;
import dev.calibra.evaluation.scoring.MetricValue;
import dev.calibra.evaluation.scoring.TaskEvaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskReader;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.Devices;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.EvaluateResult;
import dev.calibra.proto.v1.GetCorpusRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListTasksResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.Progress;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.TaskInfo;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.VerifiedContent;
import dev.calibra.runtime.artifacts.ArtifactReads;
import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.jboss.logging.Logger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One evaluation: validate everything and read every input first (so a bad request records nothing),
 * load the model once, score each task and text, then record all scores in one RecordScores call.
 */
public final class Evaluator {

    private static final Logger LOG = Logger.getLogger(Evaluator.class);

    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final int DEFAULT_SEQ_LEN = 256;
    public static final String CALIBRA_VERSION = "0.1.0";

    private final RegistryGrpc.RegistryBlockingStub registry;
    private final ArtifactStore store;
    private final Path assets;
    private final TaskCatalog catalog;
    /** CALIBRA_ALLOWED_ROOTS: a shared deployment limits which server paths callers may name. */
    private final AllowedRoots allowedRoots = AllowedRoots.fromEnvironment();
    /** Task files, requests and perplexity streams kept across evaluations (the same in every job of a study). */
    private final EncodedInputs inputs = new EncodedInputs();

    public Evaluator(RegistryGrpc.RegistryBlockingStub registry, ArtifactStore store, Path assets, TaskCatalog catalog) {
        this.registry = registry;
        this.store = store;
        this.assets = assets;
        this.catalog = catalog;
    }

    public ListTasksResponse listTasks() throws IOException {
        ListTasksResponse.Builder response = ListTasksResponse.newBuilder();
        for (TaskSpec spec : catalog.all()) {
            TaskInfo.Builder info = TaskInfo.newBuilder().setName(spec.name()).setKind(spec.kind().wireName())
                    .setFile(spec.file()).addAllMetrics(spec.metrics());
            if (Files.isRegularFile(assets.resolve(spec.file()))) {
                info.setExamples(new TaskReader(spec, assets).count());
            }
            response.addTasks(info);
        }
        return response.build();
    }

    /** Runs the evaluation; {@code progress} hears each step; scores are recorded unless dry_run. */
    public EvaluateResult evaluate(EvaluateRequest request, Consumer<Progress> progress, String producingJobId)
            throws IOException {
        return evaluate(request, progress, producingJobId, "", 0);
    }

    /**
     * {@link #evaluate(EvaluateRequest, Consumer, String)} as attempt {@code attempt} of a job claimed by
     * {@code workerId}: the registry records the scores only while that claim holds the job.
     */
    public EvaluateResult evaluate(EvaluateRequest request, Consumer<Progress> progress, String producingJobId,
            String workerId, int attempt) throws IOException {
        EvaluationPhases phases = new EvaluationPhases();
        EvaluateResult result = evaluate(request, progress, producingJobId, workerId, attempt, phases);
        LOG.debugf("evaluation of model %s took %.2f s: %s; cached inputs: %s", request.getModelId(),
                result.getElapsedSeconds(), phases, inputs.stats());
        return result;
    }

    /** As above, adding the wall time of each phase to {@code phases}. */
    public EvaluateResult evaluate(EvaluateRequest request, Consumer<Progress> progress, String producingJobId,
            String workerId, int attempt, EvaluationPhases phases) throws IOException {
        long startNanos = System.nanoTime();
        Plan plan = plan(request, phases);
        Model model = phases.time("registry_get", () -> model(request.getModelId()));
        Device device = device(request.getDevice());
        List<Score> scores = new ArrayList<>();
        int steps = plan.tasks().size() + plan.texts().size();
        Path modelPath = phases.time("verify", () -> VerifiedContent.require(
                ArtifactReads.localPath(store, model.getArtifactUri(), "model " + model.getId()), model.getSha256(), "model " + model.getId(), CalibraException::dataLoss));
        try (ModelFolder folder = phases.time("model_open", () -> ModelFolder.open(modelPath));
                CausalLm lm = phases.time("model_load", () -> folder.load(device));
                Tokenizer tokenizer = phases.time("tokenizer_load", folder::openTokenizer)) {
            EncodedInputs.TokenizerKey tokenizerKey = EncodedInputs.tokenizerKey(tokenizer, folder.tokenizerFiles());
            Map<String, String> environment = environment(device);
            int step = 0;
            for (Map.Entry<TaskSpec, EncodedInputs.Examples> task : plan.tasks().entrySet()) {
                TaskSpec spec = task.getKey();
                StepProgress reporter = new StepProgress(progress, step++, steps, "task " + spec.name(), startNanos);
                TaskEvaluator evaluator = new TaskEvaluator(lm, tokenizer, plan.batchSize());
                var requests = phases.time("encode", () -> inputs.requests(evaluator, tokenizerKey, spec, task.getValue()));
                var result = phases.time("forward", () -> evaluator.evaluate(spec, task.getValue().examples(), requests,
                        reporter));
                Map<String, String> settings = Map.of("limit", Integer.toString(request.getLimit()),
                        "batch_size", Integer.toString(plan.batchSize()), "kind", spec.kind().wireName(), "file", spec.file());
                scores.addAll(scores(model.getId(), spec.name(), result.metrics(), settings, environment, producingJobId));
            }
            for (Text text : plan.texts()) {
                StepProgress reporter = new StepProgress(progress, step++, steps, "perplexity " + text.name(), startNanos);
                PerplexityEvaluator evaluator = new PerplexityEvaluator(lm, tokenizer, plan.batchSize());
                PerplexityScores result;
                if (text.convention() == Convention.GPTQ) {
                    var stream = phases.time("encode", () -> inputs.gptqStream(tokenizer, tokenizerKey, text.documents(),
                            text.maxTokens()));
                    result = phases.time("forward", () -> evaluator.gptq(stream, text.seqLen(), text.maxTokens(), text.name(),
                            reporter));
                } else {
                    result = phases.time("forward", () -> evaluator.evaluate(text.documents(), text.convention(),
                            text.seqLen(), text.maxTokens(), text.name(), reporter));
                }
                Map<String, String> settings = new LinkedHashMap<>(Map.of("seq_len", Integer.toString(text.seqLen()),
                        "convention", text.convention().wireName(), "batch_size", Integer.toString(plan.batchSize()),
                        "max_tokens", Integer.toString(text.maxTokens()), "windows", Integer.toString(result.windows()),
                        "source", text.source()));
                scores.addAll(scores(model.getId(), text.name(), result.metrics(), settings, environment, producingJobId));
            }
        }
        List<Score> recorded = request.getDryRun() ? scores : phases.time("registry_record", () -> registry.recordScores(
                RecordScoresRequest.newBuilder().addAllScores(scores).setProducingWorkerId(workerId)
                        .setProducingAttempt(attempt).build()).getScoresList());
        return EvaluateResult.newBuilder().addAllScores(recorded)
                .setElapsedSeconds((System.nanoTime() - startNanos) / 1e9).build();
    }

    /** Everything the request asks for, validated and read, before any model work. */
    Plan plan(EvaluateRequest request) throws IOException {
        return plan(request, new EvaluationPhases());
    }

    private Plan plan(EvaluateRequest request, EvaluationPhases phases) throws IOException {
        if (request.getModelId().isBlank()) {
            throw CalibraException.invalidArgument("model_id is required");
        }
        if (request.getTasksCount() == 0 && request.getPerplexityCount() == 0) {
            throw CalibraException.invalidArgument("nothing to evaluate: give tasks or perplexity");
        }
        if (request.getLimit() < 0) {
            throw CalibraException.invalidArgument("limit must be >= 0, got " + request.getLimit());
        }
        if (request.getBatchSize() < 0) {
            throw CalibraException.invalidArgument("batch_size must be >= 1, got " + request.getBatchSize());
        }
        int batchSize = request.getBatchSize() == 0 ? DEFAULT_BATCH_SIZE : request.getBatchSize();
        Map<TaskSpec, EncodedInputs.Examples> tasks = new LinkedHashMap<>();
        for (String name : request.getTasksList()) {
            TaskSpec spec = catalog.get(name.strip());
            tasks.put(spec, phases.time("task_files", () -> inputs.examples(spec, assets, request.getLimit())));
        }
        List<Text> texts = new ArrayList<>();
        for (PerplexitySpec spec : request.getPerplexityList()) {
            texts.add(text(spec, phases));
        }
        return new Plan(batchSize, tasks, texts);
    }

    private Text text(PerplexitySpec spec, EvaluationPhases phases) throws IOException {
        if (spec.getPath().isEmpty() == spec.getCorpusId().isEmpty()) {
            throw CalibraException.invalidArgument("perplexity: give exactly one of path and corpus_id");
        }
        if (spec.getSeqLen() < 0 || spec.getMaxTokens() < 0 || spec.getMaxTokens() > Integer.MAX_VALUE) {
            throw CalibraException.invalidArgument("perplexity: seq_len and max_tokens must be >= 0");
        }
        Convention convention = switch (spec.getConvention()) {
            case PERPLEXITY_CONVENTION_UNSPECIFIED, PERPLEXITY_CONVENTION_GPTQ -> Convention.GPTQ;
            case PERPLEXITY_CONVENTION_ROLLING -> Convention.ROLLING;
            case UNRECOGNIZED -> throw CalibraException.invalidArgument("perplexity: unknown convention " + spec.getConventionValue());
        };
        int seqLen = spec.getSeqLen() == 0 ? DEFAULT_SEQ_LEN : spec.getSeqLen();
        if (!spec.getPath().isEmpty()) {
            Path path = Path.of(spec.getPath());
            allowedRoots.check("perplexity.path", path);
            if (!Files.isRegularFile(path)) {
                throw CalibraException.invalidArgument("perplexity: path " + path + " is not a readable file");
            }
            String name = spec.getName().isEmpty() ? path.getFileName().toString() : spec.getName();
            // a plain file is one document, taken whole (universal newlines, as Python's open().read())
            return new Text(name, "file:" + path.toAbsolutePath(), List.of(phases.time("corpus_read", () -> TextFiles.read(path))),
                    convention, seqLen, (int) spec.getMaxTokens());
        }
        Corpus corpus;
        try {
            corpus = phases.time("registry_get", () -> registry.getCorpus(GetCorpusRequest.newBuilder()
                    .setId(spec.getCorpusId()).build()));
        } catch (StatusRuntimeException e) {
            throw notFound(e, "perplexity: corpus_id '" + spec.getCorpusId() + "' is not registered");
        }
        String name = spec.getName().isEmpty() ? corpus.getName() : spec.getName();
        Path source = phases.time("verify", () -> VerifiedContent.require(
                ArtifactReads.localPath(store, corpus.getSourceUri(), "corpus " + corpus.getId()), corpus.getSha256(), "corpus " + corpus.getId(), CalibraException::dataLoss));
        List<String> documents = phases.time("corpus_read", () -> CorpusDocuments.read(source, corpus.getDocumentRule()));
        return new Text(name, corpus.getId(), documents, convention, seqLen, (int) spec.getMaxTokens());
    }

    private Model model(String modelId) {
        try {
            return registry.getModel(GetModelRequest.newBuilder().setId(modelId).build());
        } catch (StatusRuntimeException e) {
            throw notFound(e, "model_id '" + modelId + "' is not registered");
        }
    }

    private static RuntimeException notFound(StatusRuntimeException e, String message) {
        return e.getStatus().getCode() == Status.Code.NOT_FOUND ? CalibraException.notFound(message) : e;
    }

    private static Device device(String name) {
        return switch (name.isEmpty() ? "cpu" : name) {
            case "cpu" -> Device.cpu();
            case "cuda", "gpu" -> Devices.choose(true);
            default -> throw CalibraException.invalidArgument("device must be cpu or cuda, got '" + name + "'");
        };
    }

    private static Map<String, String> environment(Device device) {
        Engine engine = Engine.getInstance();
        return Map.of("device", device.toString(), "calibra_version", CALIBRA_VERSION,
                "djl_version", Engine.getDjlVersion(), "engine", engine.getEngineName() + " " + engine.getVersion());
    }

    private static List<Score> scores(String modelId, String task, List<MetricValue> metrics, Map<String, String> settings,
            Map<String, String> environment, String producingJobId) {
        List<Score> scores = new ArrayList<>();
        for (MetricValue metric : metrics) {
            scores.add(Score.newBuilder().setModelId(modelId).setTask(task).setMetric(metric.metric())
                    .setValue(metric.value()).setStderr(metric.stderr()).setN(metric.n()).putAllSettings(settings)
                    .putAllEnvironment(environment).setProducingJobId(producingJobId).build());
        }
        return scores;
    }

    record Plan(int batchSize, Map<TaskSpec, EncodedInputs.Examples> tasks, List<Text> texts) {}

    record Text(String name, String source, List<String> documents, Convention convention, int seqLen, int maxTokens) {}
}
