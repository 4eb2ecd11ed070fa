package dev.calibra.registry.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void everyMethodsSpread_isRankedAndSetAgainstThePapersOrdering() {
        List<StudyRepository.CellScore> all = new ArrayList<>();
        all.addAll(scores("gptq-4bit", "c4", "copa", "acc", 0.05, 0.50, 0.52, 0.48));
        all.addAll(scores("spqr-3bit", "c4", "copa", "acc", 0.05, 0.50, 0.51, 0.50));
        all.addAll(scores("sparsegpt-50", "c4", "copa", "acc", 0.05, 0.40, 0.46, 0.34));
        all.addAll(scores("wanda-50", "c4", "copa", "acc", 0.05, 0.40, 0.43, 0.37));
        ReportAggregator.Aggregated aggregated = ReportAggregator.aggregate(all);
        List<String> findings = Findings.of(aggregated.groups(), aggregated.baselines(), java.util.Map.of("gptq-4bit", "gptq",
                "spqr-3bit", "spqr", "sparsegpt-50", "sparsegpt", "wanda-50", "wanda"));
        String ranked = findings.stream().filter(f -> f.contains("least first")).findFirst().orElseThrow();
        assertTrue(ranked.contains("spqr-3bit 0.0058 < gptq-4bit 0.0200 < wanda-50 0.0300 < sparsegpt-50 0.0600"), ranked);
        String paper = findings.stream().filter(f -> f.contains("Williams & Aletras")).findFirst().orElseThrow();
        assertTrue(paper.contains("spqr-3bit ranked 1 of 4 (1 = least sensitive), as the paper found"), paper);
        assertTrue(paper.contains("the pruning methods' mean spread was 3.49x the quantizers', as the paper found"), paper);

        // the data, not the paper, decides the words
        List<StudyRepository.CellScore> reversed = new ArrayList<>();
        reversed.addAll(scores("gptq-4bit", "c4", "copa", "acc", 0.05, 0.50, 0.51, 0.50));
        reversed.addAll(scores("spqr-3bit", "c4", "copa", "acc", 0.05, 0.40, 0.46, 0.34));
        reversed.addAll(scores("wanda-50", "c4", "copa", "acc", 0.05, 0.40, 0.41, 0.40));
        aggregated = ReportAggregator.aggregate(reversed);
        paper = Findings.of(aggregated.groups(), aggregated.baselines(), java.util.Map.of("gptq-4bit", "gptq", "spqr-3bit", "spqr",
                "wanda-50", "wanda")).stream().filter(f -> f.contains("Williams & Aletras")).findFirst().orElseThrow();
        assertTrue(paper.contains("spqr-3bit ranked 3 of 3 (1 = least sensitive), not the least sensitive as the paper found"), paper);
        assertTrue(paper.contains("the reverse of the paper's finding"), paper);
    }
}
