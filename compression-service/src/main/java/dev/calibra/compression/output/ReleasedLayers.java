package dev.calibra.compression.output;

import dev.calibra.compression.driver.BlockWeights;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.CompressedLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A result's layer whole: its own, or read back from its released block (one block kept, the last read). */
final class ReleasedLayers {

    private final BlockWeights released;
    private int cachedBlock = -1;
    private Map<String, LayerResult> cached = Map.of();

    ReleasedLayers(BlockWeights released) {
        this.released = released;
    }

    CompressedLayer of(LayerResult result) {
        if (result.layer().weight() != null) {
            return result.layer();
        }
        if (cachedBlock != result.block()) {
            cached = Map.of();                                       // drop the previous block first
            Map<String, LayerResult> byLinear = new LinkedHashMap<>();
            try {
                for (LayerResult read : released.read(result.block())) {
                    byLinear.put(read.linear(), read);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cached = byLinear;
            cachedBlock = result.block();
        }
        LayerResult read = cached.get(result.linear());
        if (read == null || read.layer().weight() == null) {
            throw new IllegalStateException("block " + result.block() + " has no weight for " + result.linear());
        }
        return read.layer();
    }
}
