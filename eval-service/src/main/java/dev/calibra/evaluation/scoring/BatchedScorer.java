package dev.calibra.evaluation.scoring;

import dev.calibra.model.CausalLm;
import dev.calibra.model.scoring.LogLikelihood;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.scoring.LogLikelihoodScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Log-likelihoods of many requests, batched longest first as lm-evaluation-harness's Collator does (so a
 * batch holds sequences of similar length and little padding, and an out-of-memory shows at once), and
 * returned in request order. model-core's {@link LogLikelihoodScorer} batches in the order it is given;
 * this class gives it the sorted order, one batch at a time so progress can be reported.
 */
public final class BatchedScorer {

    private final LogLikelihoodScorer scorer;
    private final int batchSize;

    public BatchedScorer(CausalLm model, int batchSize) {
        this.scorer = new LogLikelihoodScorer(model, batchSize);
        this.batchSize = batchSize;
    }

    /** One result per request, in request order; {@code progress} hears the number of requests done so far. */
    public List<LogLikelihood> score(List<LogLikelihoodRequest> requests, IntConsumer progress) {
        Integer[] order = new Integer[requests.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // longest first; ties by token content then index, so the order never depends on the batch size
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -length(requests.get(i)))
                .thenComparing(i -> requests.get(i), BatchedScorer::compareTokens)
                .thenComparingInt(i -> i));
        LogLikelihood[] results = new LogLikelihood[requests.size()];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            List<LogLikelihoodRequest> batch = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                batch.add(requests.get(order[k]));
            }
            List<LogLikelihood> scored = scorer.score(batch);
            for (int k = start; k < end; k++) {
                results[order[k]] = scored.get(k - start);
            }
            progress.accept(end);
        }
        return Arrays.asList(results);
    }

    private static int length(LogLikelihoodRequest request) {
        return request.context().length + request.continuation().length;
    }

    private static int compareTokens(LogLikelihoodRequest a, LogLikelihoodRequest b) {
        int byContext = Arrays.compare(a.context(), b.context());
        return byContext != 0 ? byContext : Arrays.compare(a.continuation(), b.continuation());
    }
}
