package dev.calibra.compression.driver;

import java.io.IOException;
import java.util.List;

/** What the sequential driver tells its caller while it runs, and asks it. */
public interface DriverListener {

    /** A linear finished (stream a LayerReport). */
    default void layerDone(LayerResult result, int blocks) {}

    /** A whole block finished and its compressed weights are in the model (write a checkpoint). */
    default void blockDone(int block, List<LayerResult> results) throws IOException {}

    /** Throws when the work must stop (cancelled job, lost lease); called before every linear. */
    default void checkStop() {}
}
