package dev.calibra.model.scoring;

/**
 * Sum of the continuation tokens' log-probabilities (natural log), whether every one of them was the
 * greedy (argmax) choice, and how many tokens were scored (lm-evaluation-harness loglikelihood).
 */
public record LogLikelihood(double logProb, boolean greedy, int tokens) {}
