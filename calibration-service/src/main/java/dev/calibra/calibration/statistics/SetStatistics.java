package dev.calibra.calibration.statistics;

import dev.calibra.calibration.sampling.Sample;
import dev.calibra.proto.v1.CalibrationStatistics;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The statistics recorded with a calibration set: distinct tokens, token entropy (bits), the share of
 * rows per source, exact duplicate rows, and the fraction of the decoded rows' word 13-grams that occur
 * in the evaluation texts.
 */
public final class SetStatistics {

    /** Source key of rows that come from no corpus (generated or random). */
    public static final String NO_CORPUS = "none";

    private SetStatistics() {}

    public static CalibrationStatistics.Builder of(List<Sample> rows, Function<int[], String> decode,
            EvaluationTexts evaluationTexts) {
        Map<Integer, Long> counts = new TreeMap<>();
        long tokens = 0;
        for (Sample row : rows) {
            for (int token : row.tokens()) {
                counts.merge(token, 1L, Long::sum);
                tokens++;
            }
        }
        double entropy = 0;
        for (long count : counts.values()) {
            double p = (double) count / tokens;
            entropy -= p * Math.log(p) / Math.log(2);
        }
        Map<String, Double> share = new TreeMap<>();
        for (Sample row : rows) {
            share.merge(row.corpusId().isEmpty() ? NO_CORPUS : row.corpusId(), 1.0 / rows.size(), Double::sum);
        }
        return CalibrationStatistics.newBuilder()
                .setDistinctTokens(counts.size())
                .setTokenEntropyBits(entropy)
                .putAllSourceShare(share)
                .setDuplicateSamples(duplicates(rows))
                .setContamination13Gram(contamination(rows, decode, evaluationTexts));
    }

    /** Rows equal to an earlier row. */
    static int duplicates(List<Sample> rows) {
        Set<List<Integer>> seen = new HashSet<>();
        int duplicates = 0;
        for (Sample row : rows) {
            if (!seen.add(Arrays.stream(row.tokens()).boxed().toList())) {
                duplicates++;
            }
        }
        return duplicates;
    }

    /** Fraction of the rows' word 13-grams found in the evaluation texts; 0 when the rows have none. */
    static double contamination(List<Sample> rows, Function<int[], String> decode, EvaluationTexts evaluationTexts) {
        long[] found = {0, 0};
        for (Sample row : rows) {
            WordNgrams.forEach(decode.apply(row.tokens()), hash -> {
                found[1]++;
                if (evaluationTexts.contains(hash)) {
                    found[0]++;
                }
            });
        }
        return found[1] == 0 ? 0 : (double) found[0] / found[1];
    }
}
