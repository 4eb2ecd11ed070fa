package dev.calibra.compression.observability;

import dev.calibra.compression.driver.LayerResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/**
 * Compression throughput, per method: calibra_compression_linears_total and
 * calibra_compression_parameters_total (weights of the compressed linears) count the work done;
 * calibra_compression_block_duration_seconds is the time spent compressing one transformer block's
 * linears (the methods' kernels; the block's forward passes are not in it). Parameters per second is
 * rate(parameters_total) over a window.
 */
@ApplicationScoped
public class CompressionMetrics {

    private final MeterRegistry registry;

    public CompressionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics that go nowhere, for code run outside the service (tests, benchmarks). */
    public static CompressionMetrics discarding() {
        return new CompressionMetrics(new SimpleMeterRegistry());
    }

    /** One block's linears are compressed: called once per block with that block's results. */
    public void blockCompressed(String method, List<LayerResult> results) {
        long parameters = 0;
        double seconds = 0;
        for (LayerResult result : results) {
            parameters += (long) result.layer().rows() * result.layer().columns();
            seconds += result.seconds();
        }
        Counter.builder("calibra.compression.linears").description("Linear layers compressed")
                .tag("method", method).register(registry).increment(results.size());
        Counter.builder("calibra.compression.parameters").description("Weights of the compressed linear layers")
                .tag("method", method).register(registry).increment(parameters);
        Timer.builder("calibra.compression.block.duration").description("Kernel time to compress one block's linears")
                .tag("method", method).register(registry).record(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
