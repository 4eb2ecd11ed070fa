package dev.calibra.evaluation.bench;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.evaluation.service.EvaluationPhases;
import dev.calibra.evaluation.service.Evaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.EvaluateResult;
import dev.calibra.proto.v1.GetCorpusRequest;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.PerplexityConvention;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.RecordScoresRequest;
import dev.calibra.proto.v1.RecordScoresResponse;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where one EVALUATE job of the demo study spends its time (BENCHMARKS.md, "Evaluation overhead"): runs the
 * demo's evaluation spec (examples/demo.yaml: 5 tasks x 30 examples, batch 32, two GPTQ perplexities of 1,024
 * tokens) JOBS times through {@link Evaluator}, as the worker does, each job on its own copy of stories260K
 * (the demo evaluates a new model folder every job), against a small registry served over loopback gRPC.
 * Prints each phase's mean over the jobs after the first (the first also starts PyTorch) and a digest of every
 * job's scores, so two builds can be checked for identical results.
 * Usage: EvalJobBenchmark ASSETS_DIR [JOBS=8] [WORK_DIR=/tmp/eval-job-bench]
 */
public final class EvalJobBenchmark {

    private static final List<String> TASKS = List.of("arc_easy", "piqa", "hellaswag", "winogrande", "lambada_openai");

    private EvalJobBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : "assets").toAbsolutePath().normalize();
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path work = Path.of(args.length > 2 ? args[2] : "/tmp/eval-job-bench");
        Map<String, Model> models = new LinkedHashMap<>();
        for (int j = 0; j < jobs; j++) {
            Path copy = copy(assets.resolve("models/stories260K"), work.resolve("model-" + j));
            models.put("model-" + j, Model.newBuilder().setId("model-" + j).setName("model-" + j)
                    .setArtifactUri(copy.toUri().toString()).setSha256(ContentHash.ofFolder(copy)).build());
        }
        Path tinyStories = heldOutTinyStories(assets.resolve("corpora/tinystories_valid_first.txt"), work);
        Map<String, Corpus> corpora = Map.of(
                "wikitext2-test", corpus("wikitext2-test", assets.resolve("corpora/wikitext2_raw_test.txt"), "whole"),
                "tinystories-eval", corpus("tinystories-eval", tinyStories, "blank-lines"));
        Server server = ServerBuilder.forPort(0).addService(new Registry(models, corpora)).build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            Evaluator evaluator = new Evaluator(RegistryGrpc.newBlockingStub(channel),
                    new dev.calibra.artifacts.LocalArtifactStore(work.resolve("store")), assets, TaskCatalog.builtIn());
            EvaluationPhases steady = new EvaluationPhases();
            double steadySeconds = 0;
            for (int j = 0; j < jobs; j++) {
                EvaluationPhases phases = new EvaluationPhases();
                EvaluateResult result = evaluator.evaluate(request("model-" + j), p -> { }, "job-" + j, "bench", 1, phases);
                System.out.printf("job %d: %.3f s, scores %s: %s%n", j, result.getElapsedSeconds(), digest(result), phases);
                if (j > 0) {
                    steady.addAll(phases);
                    steadySeconds += result.getElapsedSeconds();
                }
            }
            int counted = Math.max(1, jobs - 1);
            System.out.println("| phase | mean per job (ms) |");
            System.out.println("|---|---:|");
            steady.nanos().forEach((phase, nanos) -> System.out.printf("| %s | %.1f |%n", phase, nanos / 1e6 / counted));
            System.out.printf("| whole job | %.1f |%n", steadySeconds * 1000 / counted);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The demo's evaluation spec as the registry expands it into an EVALUATE job. */
    static EvaluateRequest request(String modelId) {
        return EvaluateRequest.newBuilder().setModelId(modelId).addAllTasks(TASKS).setLimit(30).setBatchSize(32)
                .addPerplexity(PerplexitySpec.newBuilder().setName("wikitext2").setCorpusId("wikitext2-test").setSeqLen(256)
                        .setConvention(PerplexityConvention.PERPLEXITY_CONVENTION_GPTQ).setMaxTokens(1024))
                .addPerplexity(PerplexitySpec.newBuilder().setName("tinystories").setCorpusId("tinystories-eval").setSeqLen(256)
                        .setConvention(PerplexityConvention.PERPLEXITY_CONVENTION_GPTQ).setMaxTokens(1024))
                .build();
    }

    /** Every score's task, metric and exact value, hashed: equal digests mean bit-identical results. */
    private static String digest(EvaluateResult result) throws Exception {
        StringBuilder all = new StringBuilder();
        for (Score score : result.getScoresList()) {
            all.append(score.getTask()).append(' ').append(score.getMetric()).append(' ')
                    .append(Double.doubleToLongBits(score.getValue())).append(' ')
                    .append(Double.doubleToLongBits(score.getStderr())).append(' ').append(score.getN()).append('\n');
        }
        return ContentHash.ofBytes(all.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    private static Corpus corpus(String id, Path file, String rule) throws Exception {
        return Corpus.newBuilder().setId(id).setName(id).setSourceUri(file.toUri().toString())
                .setSha256(ContentHash.of(file)).setDocumentRule(rule).build();
    }

    /** The first fifth of the TinyStories paragraphs, as `calibra demo` holds them out. */
    private static Path heldOutTinyStories(Path source, Path work) throws Exception {
        String[] paragraphs = Files.readString(source, StandardCharsets.UTF_8).split("\n\n", -1);
        Files.createDirectories(work);
        return Files.writeString(work.resolve("tinystories-eval.txt"),
                String.join("\n\n", Arrays.copyOfRange(paragraphs, 0, paragraphs.length / 5)), StandardCharsets.UTF_8);
    }

    private static Path copy(Path folder, Path target) throws Exception {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".gguf")).toList()) {
                Files.copy(file, target.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    /** The three Registry calls an evaluation makes, from fixed records. */
    private static final class Registry extends RegistryGrpc.RegistryImplBase {

        private final Map<String, Model> models;
        private final Map<String, Corpus> corpora;
        private long nextScore;

        Registry(Map<String, Model> models, Map<String, Corpus> corpora) {
            this.models = models;
            this.corpora = corpora;
        }

        @Override
        public void getModel(GetModelRequest request, StreamObserver<Model> response) {
            answer(models.get(request.getId()), response);
        }

        @Override
        public void getCorpus(GetCorpusRequest request, StreamObserver<Corpus> response) {
            answer(corpora.get(request.getId()), response);
        }

        @Override
        public synchronized void recordScores(RecordScoresRequest request, StreamObserver<RecordScoresResponse> response) {
            RecordScoresResponse.Builder recorded = RecordScoresResponse.newBuilder();
            for (Score score : request.getScoresList()) {
                recorded.addScores(score.toBuilder().setId("score-" + nextScore++));
            }
            answer(recorded.build(), response);
        }

        private static <T> void answer(T value, StreamObserver<T> response) {
            if (value == null) {
                response.onError(Status.NOT_FOUND.asRuntimeException());
                return;
            }
            response.onNext(value);
            response.onCompleted();
        }
    }
}
