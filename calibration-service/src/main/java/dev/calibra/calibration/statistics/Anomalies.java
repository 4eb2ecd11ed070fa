package dev.calibra.calibration.statistics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Flags rows that do not look like text to the model ("anomaly-v1"): a log-perplexity more than 3.5
 * robust standard deviations (1.4826 x MAD) from the set's median, or heavy repetition (fewer than half
 * of the row's token 4-grams distinct). The empty string means normal.
 */
public final class Anomalies {

    public static final String VERSION = "anomaly-v1";
    static final double ROBUST_Z = 3.5;
    static final double MIN_DISTINCT_4GRAMS = 0.5;

    private Anomalies() {}

    /** One reason (or "") per row. */
    public static String[] flag(List<int[]> rows, double[] perplexities) {
        String[] reasons = new String[rows.size()];
        double[] logs = Arrays.stream(perplexities).map(Math::log).toArray();
        double median = median(logs);
        double mad = 1.4826 * median(Arrays.stream(logs).map(x -> Math.abs(x - median)).toArray());
        for (int i = 0; i < reasons.length; i++) {
            double distinct = distinct4GramShare(rows.get(i));
            if (!Double.isFinite(perplexities[i])) {
                reasons[i] = "perplexity is not finite";
            } else if (mad > 0 && Math.abs(logs[i] - median) > ROBUST_Z * mad) {
                reasons[i] = String.format("extreme perplexity %.1f (set median %.1f)", perplexities[i], Math.exp(median));
            } else if (distinct < MIN_DISTINCT_4GRAMS) {
                reasons[i] = String.format("heavy repetition: %.0f%% of its 4-grams are distinct", 100 * distinct);
            } else {
                reasons[i] = "";
            }
        }
        return reasons;
    }

    static double distinct4GramShare(int[] row) {
        if (row.length < 4) {
            return 1;
        }
        Set<List<Integer>> grams = new HashSet<>();
        for (int i = 0; i + 4 <= row.length; i++) {
            grams.add(List.of(row[i], row[i + 1], row[i + 2], row[i + 3]));
        }
        return (double) grams.size() / (row.length - 3);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
