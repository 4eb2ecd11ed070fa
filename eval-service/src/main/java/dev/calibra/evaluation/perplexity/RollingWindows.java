package dev.calibra.evaluation.perplexity;

import dev.calibra.model.scoring.LogLikelihoodRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lm-evaluation-harness's loglikelihood_rolling windows (utils.get_rolling_token_windows with
 * context_len = 1, then make_disjoint_window), rewritten in Java: every token of a document is predicted
 * exactly once. The first window predicts up to maxSeqLen tokens after the prefix token (BOS); each later
 * window predicts the next up to maxSeqLen tokens, conditioned on as many preceding tokens as fit.
 */
public final class RollingWindows {

    private RollingWindows() {}

    /** Requests whose continuations, concatenated, are exactly {@code tokens}. */
    public static List<LogLikelihoodRequest> of(int[] tokens, int prefixToken, int maxSeqLen) {
        if (maxSeqLen < 1) {
            throw new IllegalArgumentException("seq_len must be at least 1, got " + maxSeqLen);
        }
        List<LogLikelihoodRequest> windows = new ArrayList<>();
        if (tokens.length == 0) {
            return windows;
        }
        // first window: the prefix token, then predict the first min(maxSeqLen, n) tokens
        int predicted = Math.min(maxSeqLen, tokens.length);
        windows.add(new LogLikelihoodRequest(new int[] {prefixToken}, Arrays.copyOf(tokens, predicted)));
        while (predicted < tokens.length) {
            int windowPredicted = Math.min(tokens.length - predicted, maxSeqLen);
            int windowEnd = predicted + windowPredicted;
            // model input is tokens[windowEnd - maxSeqLen - 1, windowEnd - 1); the disjoint context is its
            // part before the first predicted token
            int contextStart = Math.max(0, windowEnd - maxSeqLen - 1);
            int[] context = Arrays.copyOfRange(tokens, contextStart, predicted);
            windows.add(new LogLikelihoodRequest(context, Arrays.copyOfRange(tokens, predicted, windowEnd)));
            predicted = windowEnd;
        }
        return windows;
    }
}
