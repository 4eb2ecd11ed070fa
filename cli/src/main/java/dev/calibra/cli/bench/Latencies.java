package dev.calibra.cli.bench;

import java.util.Arrays;

/**
 * Summary of a set of call latencies. Percentiles are exact (nearest rank on the sorted sample), not
 * estimated from buckets: a run keeps every latency, 8 bytes a call.
 */
public record Latencies(int calls, double meanMillis, double p50Millis, double p95Millis, double p99Millis, double maxMillis) {

    public static Latencies of(long[] nanos, int count) {
        if (count == 0) {
            return new Latencies(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        return new Latencies(count, sum / count / 1e6, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99),
                sorted[count - 1] / 1e6);
    }

    /** Nearest-rank percentile: the smallest value with at least fraction q of the sample at or below it. */
    static double rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
