package dev.calibra.registry.study;

import java.util.List;

/**
 * Summary of one group's per-set values: mean, sample standard deviation (n - 1; 0 for one value),
 * min, max and range = max - min.
 */
public record Spread(double mean, double std, double min, double max, double range) {

    public static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a spread needs at least one value");
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        double mean = sum / values.size();
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        double std = values.size() < 2 ? 0 : Math.sqrt(squares / (values.size() - 1));
        return new Spread(mean, std, min, max, max - min);
    }
}
