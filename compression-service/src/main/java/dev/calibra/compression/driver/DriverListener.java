package dev.calibra.compression.driver;

import java.io.IOException;
import java.util.List;

/** What the sequential driver tells its caller while it runs, and asks it. */
public interface DriverListener {

    /** A linear finished (stream a LayerReport). */
    default void layerDone(LayerResult result, int blocks) {}

    /** A whole block finished and its compressed weights are in the model (write a checkpoint). */
    default void blockDone(int block, List<LayerResult> results) throws IOException {}

    /**
     * Whether {@link #blockDone} stores the block's weights where the caller reads them back (a checkpoint
     * file): the driver then drops them from memory once the block is done, so memory does not grow with the
     * number of blocks, and returns results without weights.
     */
    default boolean keepsWeights() {
        return false;
    }

    /** Throws when the work must stop (cancelled job, lost lease); called before every linear. */
    default void checkStop() {}
}
