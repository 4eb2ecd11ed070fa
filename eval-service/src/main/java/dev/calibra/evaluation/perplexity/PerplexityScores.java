package dev.calibra.evaluation.perplexity;

import dev.calibra.evaluation.scoring.MetricValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Perplexity of a text under one convention.
 *
 * @param perplexity     exp(mean negative log-likelihood per predicted token)
 * @param tokens         predicted (scored) tokens
 * @param windows        model inputs evaluated
 * @param wordPerplexity exp(NLL / words), rolling only (NaN otherwise); words as lm-eval: re.split(r"\s+")
 * @param bitsPerByte    NLL / UTF-8 bytes / ln 2, rolling only (NaN otherwise)
 */
public record PerplexityScores(Convention convention, double perplexity, long tokens, int windows,
        double wordPerplexity, double bitsPerByte) {

    public List<MetricValue> metrics() {
        List<MetricValue> metrics = new ArrayList<>();
        metrics.add(new MetricValue("perplexity", perplexity, 0, tokens));
        if (convention == Convention.ROLLING) {
            metrics.add(new MetricValue("word_perplexity", wordPerplexity, 0, tokens));
            metrics.add(new MetricValue("bits_per_byte", bitsPerByte, 0, tokens));
        }
        return metrics;
    }
}
