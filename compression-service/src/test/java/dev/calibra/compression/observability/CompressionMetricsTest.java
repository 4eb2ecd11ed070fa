package dev.calibra.compression.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.PrunedLayer;
import dev.calibra.compression.method.SparsityPattern;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompressionMetricsTest {

    static LayerResult linear(String name, int rows, int columns, double seconds) {
        float[] weight = new float[rows * columns];  // all zeros: a valid 50% pruned layer
        return new LayerResult(0, name, new PrunedLayer(weight, rows, columns, new SparsityPattern.Unstructured(0.5),
                weight.length, 1.0, 0.0), seconds);
    }

    @Test
    void blockCompressed_countsLinearsAndWeightsAndTimesTheBlock() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CompressionMetrics metrics = new CompressionMetrics(registry);

        metrics.blockCompressed("wanda", List.of(linear("q_proj", 64, 64, 0.25), linear("down_proj", 64, 172, 0.5)));
        metrics.blockCompressed("wanda", List.of(linear("q_proj", 64, 64, 0.25)));

        assertEquals(3.0, registry.get("calibra.compression.linears").tag("method", "wanda").counter().count());
        assertEquals(64 * 64 * 2 + 64 * 172, registry.get("calibra.compression.parameters").tag("method", "wanda").counter().count());
        var blocks = registry.get("calibra.compression.block.duration").tag("method", "wanda").timer();
        assertEquals(2, blocks.count());
        assertEquals(1.0, blocks.totalTime(TimeUnit.SECONDS), 1e-6);
    }
}
