package dev.calibra.calibration.service;

import dev.calibra.calibration.sampling.DrawRequest;
import dev.calibra.calibration.sampling.Draws;
import dev.calibra.calibration.sampling.Sample;
import dev.calibra.calibration.sampling.SelfGeneratedStrategy;
import dev.calibra.calibration.sampling.Strategy;
import dev.calibra.calibration.statistics.Anomalies;
import dev.calibra.calibration.statistics.EvaluationTexts;
import dev.calibra.calibration.statistics.Fingerprint;
import dev.calibra.calibration.statistics.SetStatistics;
import dev.calibra.proto.v1.CalibrationStatistics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Draws a set with a strategy, scores every row under the model, flags anomalies and computes the
 * statistics and fingerprint. With {@code dropAnomalous} it draws half as many rows again and keeps the
 * first n normal ones, so replacements come from the same seeded stream.
 */
public final class SetSampler {

    /** Version of this pipeline (drawing, replacement and statistics), recorded in sampler_version. */
    public static final String VERSION = "calibra-sampler-1";

    private final Supplier<EvaluationTexts> evaluationTexts;

    /** {@code evaluationTexts} is asked for once per draw (the caller may load it lazily and keep it). */
    public SetSampler(Supplier<EvaluationTexts> evaluationTexts) {
        this.evaluationTexts = evaluationTexts;
    }

    public DrawnSet draw(Strategy strategy, DrawRequest request, boolean dropAnomalous) throws IOException {
        int n = request.nSamples();
        DrawRequest drawing = dropAnomalous ? request.withSamples(n + (n + 1) / 2) : request;
        List<Sample> candidates = strategy.draw(drawing);
        List<int[]> candidateTokens = candidates.stream().map(Sample::tokens).toList();
        double[] perplexities = SelfGeneratedStrategy.perplexities(request.model().model(), candidateTokens);
        String[] anomalies = Anomalies.flag(candidateTokens, perplexities);

        List<Integer> kept = new ArrayList<>(n);
        for (int i = 0; i < candidates.size() && kept.size() < n; i++) {
            if (!dropAnomalous || anomalies[i].isEmpty()) {
                kept.add(i);
            }
        }
        if (kept.size() < n) {
            throw new IllegalArgumentException("drop_anomalous: only " + kept.size() + " of " + candidates.size()
                    + " drawn rows are normal, fewer than n_samples " + n + "; the source looks anomalous as a whole");
        }
        List<Sample> rows = kept.stream().map(candidates::get).toList();
        double[] rowPerplexities = kept.stream().mapToDouble(i -> perplexities[i]).toArray();
        String[] rowAnomalies = kept.stream().map(i -> anomalies[i]).toArray(String[]::new);

        EvaluationTexts texts = evaluationTexts.get();
        CalibrationStatistics.Builder statistics = SetStatistics.of(rows, request.tokenizer()::decode, texts)
                .setMeanPerplexity(Arrays.stream(rowPerplexities).average().orElse(0));
        for (int i = 0; i < rowAnomalies.length; i++) {
            if (!rowAnomalies[i].isEmpty()) {
                statistics.addAnomalousSamples(i);
            }
        }
        String samplerVersion = VERSION + " " + strategy.name() + "/" + strategy.version() + " " + Draws.VERSION + " "
                + Anomalies.VERSION;
        List<int[]> tokens = rows.stream().map(Sample::tokens).toList();
        return new DrawnSet(rows, rowPerplexities, rowAnomalies, statistics.build(), Fingerprint.of(tokens), samplerVersion,
                texts.sources());
    }
}
