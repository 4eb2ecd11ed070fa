package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.ProgressBar;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.EvaluateEvent;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.EvaluateResult;
import dev.calibra.proto.v1.EvaluationGrpc;
import dev.calibra.proto.v1.PerplexityConvention;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.Score;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** calibra eval: zero-shot tasks or perplexity of a registered model, scores recorded in the registry. */
@Command(name = "eval", description = "Evaluate a registered model on zero-shot tasks or the perplexity of a text.")
public final class EvalCommand implements Callable<Integer> {

    @ParentCommand CalibraCommand root;

    @Option(names = "--model", required = true, description = "Model id or name.")
    String model;

    @Option(names = "--tasks", split = ",", description = "Task names (see ListTasks), comma-separated.")
    String[] tasks = new String[0];

    @Option(names = "--perplexity", description = "Text file whose perplexity to measure.")
    Path perplexity;

    @Option(names = "--corpus", description = "Registered corpus (id or name) whose perplexity to measure.")
    String corpus;

    @Option(names = "--seq-len", defaultValue = "256", converter = FlagValues.Positive.class, description = "Perplexity window in tokens (default ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--convention", defaultValue = "gptq", description = "Perplexity convention: gptq or rolling.")
    String convention;

    @Option(names = "--max-tokens", converter = FlagValues.PositiveLong.class,
            description = "GPTQ perplexity: use the first N tokens, BOS included (default: all).")
    Long maxTokens;

    @Option(names = "--limit", converter = FlagValues.Positive.class,
            description = "First N examples of each task, in file order (default: all).")
    Integer limit;

    @Option(names = "--batch-size", defaultValue = "16", converter = FlagValues.Positive.class, description = "Requests per forward batch; results do not depend on it.")
    int batchSize;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda.")
    String device;

    @Option(names = "--dry-run", description = "Compute scores without recording them.")
    boolean dryRun;

    @Option(names = "--output", description = "Also write the results as lm-evaluation-harness-style JSON to this file.")
    Path outputFile;

    @Override
    public Integer call() throws IOException {
        Output output = root.output();
        if (tasks.length == 0 && perplexity == null && corpus == null) {
            throw new IllegalArgumentException("give --tasks, --perplexity FILE or --corpus ID");
        }
        EvaluateRequest.Builder request = EvaluateRequest.newBuilder().setModelId(model).setLimit(limit == null ? 0 : limit)
                .setBatchSize(batchSize).setDevice(device).setDryRun(dryRun)
                .addAllTasks(Arrays.stream(tasks).map(String::strip).filter(t -> !t.isEmpty()).toList());
        if (perplexity != null || corpus != null) {
            PerplexitySpec.Builder spec = PerplexitySpec.newBuilder().setSeqLen(seqLen).setMaxTokens(maxTokens == null ? 0 : maxTokens)
                    .setConvention(convention(convention));
            if (perplexity != null) {
                spec.setPath(perplexity.toAbsolutePath().toString());
            } else {
                spec.setCorpusId(corpus);
            }
            request.addPerplexity(spec);
        }
        EvaluateResult result = null;
        ProgressBar bar = new ProgressBar(output.err(), "eval");
        try (Services services = root.services()) {
            Iterator<EvaluateEvent> events = EvaluationGrpc.newBlockingStub(services.channel("evaluation")).evaluate(request.build());
            while (events.hasNext()) {
                EvaluateEvent event = events.next();
                if (event.hasProgress()) {
                    bar.update(event.getProgress().getFraction(), event.getProgress().getMessage());
                } else if (event.hasResult()) {
                    result = event.getResult();
                }
            }
        }
        if (result == null) {
            throw new IllegalStateException("the evaluation service ended without a result");
        }
        bar.finish(String.format("%d scores in %.1fs", result.getScoresCount(), result.getElapsedSeconds()));
        ObjectNode json = output.object();
        ArrayNode scores = json.putArray("scores");
        for (Score score : result.getScoresList()) {
            scores.addObject().put("id", score.getId()).put("task", score.getTask()).put("metric", score.getMetric())
                    .put("value", score.getValue()).put("stderr", score.getStderr()).put("n", score.getN());
            output.linef("%-16s %-16s %12.4f  ± %.4f  n=%d  %s", score.getTask(), score.getMetric(), score.getValue(),
                    score.getStderr(), score.getN(), score.getId());
        }
        if (request.getPerplexityCount() > 0) {
            Score first = result.getScoresList().stream().filter(s -> s.getMetric().equals("perplexity")
                    && s.getSettingsMap().containsKey("convention")).findFirst().orElseThrow();
            json.put("perplexity", first.getValue());
            json.put("tokens", first.getN());
            json.put("windows", Long.parseLong(first.getSettingsOrDefault("windows", "0")));
            json.put("convention", first.getSettingsOrDefault("convention", ""));
        }
        if (outputFile != null) {
            Files.writeString(outputFile, Output.JSON.writeValueAsString(lmEvalJson(result, request.build())));
            output.note("wrote " + outputFile);
        }
        output.emit(json);
        return 0;
    }

    /** {"results": {task: {"acc,none": .., "acc_stderr,none": ..}}, "config": {...}} as lm-eval writes. */
    static ObjectNode lmEvalJson(EvaluateResult result, EvaluateRequest request) {
        ObjectNode json = Output.JSON.createObjectNode();
        ObjectNode results = json.putObject("results");
        for (Score score : result.getScoresList()) {
            ObjectNode task = results.has(score.getTask()) ? (ObjectNode) results.get(score.getTask()) : results.putObject(score.getTask());
            task.put(score.getMetric() + ",none", score.getValue());
            task.put(score.getMetric() + "_stderr,none", score.getStderr());
            task.put("samples", score.getN());
        }
        ObjectNode config = json.putObject("config");
        config.put("model", request.getModelId());
        config.put("limit", request.getLimit());
        config.put("batch_size", request.getBatchSize());
        config.put("device", request.getDevice());
        if (result.getScoresCount() > 0) {
            result.getScores(0).getEnvironmentMap().forEach(config::put);
        }
        return json;
    }

    private static PerplexityConvention convention(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gptq" -> PerplexityConvention.PERPLEXITY_CONVENTION_GPTQ;
            case "rolling" -> PerplexityConvention.PERPLEXITY_CONVENTION_ROLLING;
            default -> throw new IllegalArgumentException("--convention must be gptq or rolling, got '" + name + "'");
        };
    }
}
