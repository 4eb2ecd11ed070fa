package dev.calibra.model.scoring;

/**
 * exp(mean negative log-likelihood) over every predicted token of every window.
 *
 * @param perplexity      exp(meanNll)
 * @param meanNll         mean negative log-likelihood per predicted token (nats)
 * @param predictedTokens number of predicted positions averaged over
 * @param windows         number of windows evaluated
 * @param seqLen          window length in tokens (the model input length)
 * @param convention      how windows were cut
 */
public record PerplexityResult(double perplexity, double meanNll, long predictedTokens, int windows, int seqLen,
        WindowConvention convention) {}
