package dev.calibra.model.scoring;

import dev.calibra.model.CausalLm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log-likelihood of continuations given contexts, batched. Sequences longer than the model's context
 * keep their last {@code max_position_embeddings + 1} tokens (left truncation, as lm-evaluation-harness).
 */
public final class LogLikelihoodScorer {

    private final CausalLm model;
    private final int batchSize;

    public LogLikelihoodScorer(CausalLm model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
    }

    /** One result per request, in request order. */
    public List<LogLikelihood> score(List<LogLikelihoodRequest> requests) {
        List<LogLikelihood> results = new ArrayList<>(requests.size());
        int maxTokens = model.config().maxPositionEmbeddings() + 1;
        for (int start = 0; start < requests.size(); start += batchSize) {
            List<LogLikelihoodRequest> chunk = requests.subList(start, Math.min(requests.size(), start + batchSize));
            int[][] sequences = new int[chunk.size()][];
            for (int i = 0; i < chunk.size(); i++) {
                LogLikelihoodRequest request = chunk.get(i);
                int[] whole = concat(request.context(), request.continuation());
                sequences[i] = whole.length > maxTokens ? Arrays.copyOfRange(whole, whole.length - maxTokens, whole.length) : whole;
            }
            TokenLogProbs.Batch batch = TokenLogProbs.of(model, sequences);
            for (int i = 0; i < chunk.size(); i++) {
                int continuation = chunk.get(i).continuation().length;
                double[] logProbs = batch.logProbs()[i];
                boolean[] greedy = batch.greedy()[i];
                double sum = 0;
                boolean allGreedy = true;
                // the continuation's tokens are the last `continuation` predictions
                for (int p = logProbs.length - continuation; p < logProbs.length; p++) {
                    sum += logProbs[p];
                    allGreedy &= greedy[p];
                }
                results.add(new LogLikelihood(sum, allGreedy, continuation));
            }
        }
        return results;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
