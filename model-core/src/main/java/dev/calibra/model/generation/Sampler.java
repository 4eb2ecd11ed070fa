package dev.calibra.model.generation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Chooses the next token from one position's logits: repetition penalty, then greedy argmax at
 * temperature 0, else temperature, top-k, top-p (nucleus) and one draw from {@link SplitMix64}.
 * A pure function of its inputs (HF {@code RepetitionPenaltyLogitsProcessor}, {@code TopKLogitsWarper},
 * {@code TopPLogitsWarper} order).
 */
public final class Sampler {

    private Sampler() {}

    public static int next(float[] logits, int[] history, GenerationSettings settings, SplitMix64 random) {
        double[] scores = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            scores[i] = logits[i];
        }
        applyRepetitionPenalty(scores, history, settings.repetitionPenalty());
        if (settings.isGreedy()) {
            return argMax(scores);
        }
        // candidates sorted by score, descending (ties: lower id first)
        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), order.length) : order.length;
        // softmax(score / T) over the kept candidates
        double max = scores[order[0]] / settings.temperature();
        double[] probabilities = new double[keep];
        double total = 0;
        for (int r = 0; r < keep; r++) {
            probabilities[r] = Math.exp(scores[order[r]] / settings.temperature() - max);
            total += probabilities[r];
        }
        // top-p: the smallest prefix whose probability reaches p (at least one token)
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < keep) {
            cumulative += probabilities[nucleus] / total;
            nucleus++;
            if (cumulative >= settings.topP()) {
                break;
            }
        }
        double nucleusMass = 0;
        for (int r = 0; r < nucleus; r++) {
            nucleusMass += probabilities[r];
        }
        // inverse-CDF draw
        double u = random.nextDouble() * nucleusMass;
        for (int r = 0; r < nucleus; r++) {
            u -= probabilities[r];
            if (u < 0) {
                return order[r];
            }
        }
        return order[nucleus - 1];
    }

    /** CTRL penalty: for each distinct earlier token, positive logit / penalty, negative logit * penalty. */
    static void applyRepetitionPenalty(double[] scores, int[] history, double penalty) {
        if (penalty == 1) {
            return;
        }
        boolean[] seen = new boolean[scores.length];
        for (int token : history) {
            if (token >= 0 && token < scores.length && !seen[token]) {
                seen[token] = true;
                scores[token] = scores[token] > 0 ? scores[token] / penalty : scores[token] * penalty;
            }
        }
    }

    static int argMax(double[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
