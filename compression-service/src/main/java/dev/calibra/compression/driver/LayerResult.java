package dev.calibra.compression.driver;

import dev.calibra.compression.method.CompressedLayer;

/** One compressed linear: where it sits, the result with its checked postcondition, and the time it took. */
public record LayerResult(int block, String linear, CompressedLayer layer, double seconds) {

    /** This result without the weight (see {@link CompressedLayer#withoutWeight}). */
    public LayerResult released() {
        return new LayerResult(block, linear, layer.withoutWeight(), seconds);
    }
}
