package dev.calibra.evaluation.scoring;

import dev.calibra.evaluation.task.Example;
import dev.calibra.evaluation.task.TaskKind;
import dev.calibra.model.scoring.LogLikelihood;
import java.util.ArrayList;
import java.util.List;

/**
 * lm-evaluation-harness's metrics from per-request log-likelihoods (in example order, one per request):
 * acc = argmax of the sums is gold; acc_norm = argmax of sum / choice length in characters is gold;
 * lambada acc = every continuation token was the greedy one, perplexity = exp(-mean log-likelihood).
 * Ties go to the first choice (numpy argmax). Standard errors are lm-eval's mean_stderr.
 */
public final class TaskMetrics {

    private TaskMetrics() {}

    public static List<MetricValue> compute(TaskKind kind, List<Example> examples, List<LogLikelihood> results) {
        int n = examples.size();
        double[] acc = new double[n];
        double[] accNorm = new double[n];
        double[] logLikelihoods = new double[n];
        int next = 0;
        for (int e = 0; e < n; e++) {
            Example example = examples.get(e);
            int best = 0;
            int bestNorm = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            double bestNormScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < example.choiceCount(); c++) {
                LogLikelihood result = results.get(next + c);
                double normalized = result.logProb() / example.choiceLengths().get(c);
                if (result.logProb() > bestScore) {
                    bestScore = result.logProb();
                    best = c;
                }
                if (normalized > bestNormScore) {
                    bestNormScore = normalized;
                    bestNorm = c;
                }
            }
            if (kind == TaskKind.LAMBADA) {
                acc[e] = results.get(next).greedy() ? 1 : 0;
                logLikelihoods[e] = results.get(next).logProb();
            } else {
                acc[e] = best == example.gold() ? 1 : 0;
                accNorm[e] = bestNorm == example.gold() ? 1 : 0;
            }
            next += example.choiceCount();
        }
        if (next != results.size()) {
            throw new IllegalArgumentException("expected " + next + " results, got " + results.size());
        }
        List<MetricValue> metrics = new ArrayList<>();
        for (String metric : kind.metrics()) {
            metrics.add(switch (metric) {
                case "acc" -> mean(metric, acc);
                case "acc_norm" -> mean(metric, accNorm);
                // lm-eval: perplexity = exp(-mean(loglikelihood)), stderr by bootstrap (not reproduced: 0)
                case "perplexity" -> new MetricValue(metric, Math.exp(-mean(metric, logLikelihoods).value()), 0, n);
                default -> throw new IllegalArgumentException("unknown metric '" + metric + "' for kind " + kind);
            });
        }
        return metrics;
    }

    /** Mean and lm-eval's mean_stderr: sample standard deviation (n - 1) / sqrt(n). */
    static MetricValue mean(String metric, double[] values) {
        int n = values.length;
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        double mean = sum / n;
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        double stderr = n > 1 ? Math.sqrt(squares / (n - 1)) / Math.sqrt(n) : 0;
        return new MetricValue(metric, mean, stderr, n);
    }
}
