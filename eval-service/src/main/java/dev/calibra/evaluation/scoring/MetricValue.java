package dev.calibra.evaluation.scoring;

/**
 * One metric of one task or text.
 *
 * @param stderr standard error of {@code value}; 0 where lm-eval does not define a closed form
 * @param n      examples (tasks) or scored tokens (perplexity)
 */
public record MetricValue(String metric, double value, double stderr, long n) {}
