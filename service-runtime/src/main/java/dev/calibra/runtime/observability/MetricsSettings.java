package dev.calibra.runtime.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Arrays;

/**
 * Histogram buckets for the timers Calibra watches, so Prometheus can compute p50/p95/p99 across replicas
 * with histogram_quantile (without this Micrometer exports only count, sum and max): the per-RPC gRPC
 * server timer of Quarkus' gRPC binder, the job timers and the compression block timer. Few fixed buckets
 * per family, spanning what each measures, rather than Micrometer's ~70 generic ones per series.
 */
@Singleton
public class MetricsSettings {

    /** RPC latency: 1 ms to 30 s. */
    static final double[] RPC_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Jobs: 1 s to 6 h. */
    static final double[] JOB_SECONDS = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600};
    /** One block's compression kernels: 0.1 s to 10 min. */
    static final double[] BLOCK_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    @Produces
    @Singleton
    public MeterFilter histogramBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                double[] buckets = bucketsFor(id.getName());
                if (buckets == null) {
                    return config;
                }
                // Timers take their bucket bounds in nanoseconds.
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(Arrays.stream(buckets).map(seconds -> seconds * 1e9).toArray())
                        .build().merge(config);
            }
        };
    }

    /** The bucket bounds in seconds for a timer, or null for Micrometer's default (no histogram). */
    static double[] bucketsFor(String name) {
        if (name.equals("grpc.server.processing.duration")) {
            return RPC_SECONDS;
        }
        if (name.startsWith("calibra.job.")) {
            return JOB_SECONDS;
        }
        if (name.equals("calibra.compression.block.duration")) {
            return BLOCK_SECONDS;
        }
        return null;
    }
}
