package dev.calibra.registry.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The findings' wording follows the numbers: sensitivity, noise comparison, ranking, agreement. */
class FindingsTest {

    private static List<StudyRepository.CellScore> scores(String method, String source, String task, String metric,
            double stderr, double... values) {
        List<StudyRepository.CellScore> scores = new ArrayList<>();
        for (int set = 0; set < values.length; set++) {
            scores.add(new StudyRepository.CellScore("m", method, source, set, "job-e", task, metric, values[set], stderr,
                    "mdl-" + method + source + set, "cal-" + source + set, "fp" + source + set, "job-c"));
        }
        return scores;
    }

    private static List<String> findings(List<StudyRepository.CellScore> scores) {
        ReportAggregator.Aggregated aggregated = ReportAggregator.aggregate(scores);
        return Findings.of(aggregated.groups(), aggregated.baselines());
    }

    @Test
    void spreadFarAboveTheStandardError_isCalledBeyondTheNoise() {
        List<StudyRepository.CellScore> all = new ArrayList<>();
        all.addAll(scores("gptq", "c4", "copa", "acc", 0.01, 0.50, 0.60, 0.40));
        all.addAll(scores("wanda", "c4", "copa", "acc", 0.05, 0.50, 0.51, 0.50));
        List<String> findings = findings(all);
        assertTrue(findings.get(0).startsWith("copa accuracy: gptq was the most sensitive method"), findings.get(0));
        assertTrue(findings.get(0).contains("10.00x the evaluation's standard error of 0.0100: beyond the evaluation's own noise"),
                findings.get(0));
        assertTrue(findings.get(1).contains("wanda was the least sensitive") && findings.get(1).contains("within the evaluation's own noise"),
                findings.get(1));
    }

    @Test
    void perplexityAndAccuracyRankingSourcesOppositely_areSaidToDisagree() {
        List<StudyRepository.CellScore> all = new ArrayList<>();
        all.addAll(scores("gptq", "c4", "copa", "acc", 0.05, 0.60, 0.62));
        all.addAll(scores("gptq", "wiki", "copa", "acc", 0.05, 0.50, 0.52));
        all.addAll(scores("gptq", "arxiv", "copa", "acc", 0.05, 0.40, 0.42));
        // Lower perplexity is better: wiki < arxiv < c4, the reverse of the accuracy order c4 > wiki > arxiv only in part.
        all.addAll(scores("gptq", "c4", "wikitext2", "perplexity", 0, 30, 31));
        all.addAll(scores("gptq", "wiki", "wikitext2", "perplexity", 0, 10, 11));
        all.addAll(scores("gptq", "arxiv", "wikitext2", "perplexity", 0, 20, 21));
        String agreement = findings(all).stream().filter(f -> f.contains("rank correlation")).findFirst().orElseThrow();
        assertTrue(agreement.contains("same best calibration source for 0 of 1 method"), agreement);
        assertTrue(agreement.contains("averaged -0.50: they disagreed"), agreement);
    }

    @Test
    void baselinesOnly_areReportedAsSuch() {
        List<StudyRepository.CellScore> dense = scores("dense", "", "copa", "acc", 0.05, 0.61);
        List<String> findings = findings(dense);
        assertEquals(List.of("No calibrated model is scored yet; the baselines scored: dense copa acc 0.6100 (stderr 0.0500)."), findings);
    }
}
