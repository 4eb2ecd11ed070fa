package dev.calibra.calibration.service;

import dev.calibra.calibration.sampling.Sample;
import dev.calibra.proto.v1.CalibrationStatistics;
import java.util.List;

/**
 * A drawn calibration set before it is stored: its rows, per-row perplexity and anomaly flag, the
 * statistics, the fingerprint and the sampler version that produced it.
 */
public record DrawnSet(List<Sample> rows, double[] perplexities, String[] anomalies, CalibrationStatistics statistics,
        String fingerprint, String samplerVersion, List<String> contaminationSources) {

    public List<int[]> tokenRows() {
        return rows.stream().map(Sample::tokens).toList();
    }
}
