package dev.calibra.evaluation.scoring;

import dev.calibra.evaluation.task.Example;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.scoring.LogLikelihood;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/** Scores one zero-shot task: examples -> token requests -> batched log-likelihoods -> lm-eval metrics. */
public final class TaskEvaluator {

    private final CausalLm model;
    private final RequestEncoder encoder;
    private final int batchSize;

    public TaskEvaluator(CausalLm model, Tokenizer tokenizer, int batchSize) {
        this.model = model;
        this.encoder = new RequestEncoder(tokenizer);
        this.batchSize = batchSize;
    }

    /** The token requests of the examples, in example then choice order. */
    public List<LogLikelihoodRequest> requests(TaskSpec spec, List<Example> examples) {
        List<LogLikelihoodRequest> requests = new ArrayList<>();
        for (Example example : examples) {
            String where = spec.file() + " line " + example.line();
            for (int c = 0; c < example.choiceCount(); c++) {
                requests.add(encoder.encode(example.contexts().get(c), example.continuations().get(c), where));
            }
        }
        return requests;
    }

    public TaskResult evaluate(TaskSpec spec, List<Example> examples, DoubleConsumer progress) {
        return evaluate(spec, examples, requests(spec, examples), progress);
    }

    /** As {@link #evaluate(TaskSpec, List, DoubleConsumer)} with the examples' requests already encoded. */
    public TaskResult evaluate(TaskSpec spec, List<Example> examples, List<LogLikelihoodRequest> requests,
            DoubleConsumer progress) {
        int total = requests.size();
        long tokens = requests.stream().mapToLong(request -> request.context().length + request.continuation().length).sum();
        List<LogLikelihood> results = new BatchedScorer(model, batchSize).score(requests, done -> progress.accept((double) done / total));
        return new TaskResult(TaskMetrics.compute(spec.kind(), examples, results), total, tokens);
    }

    /** Metrics, and the work done: requests scored and tokens run through the model. */
    public record TaskResult(List<MetricValue> metrics, int requests, long tokens) {}
}
