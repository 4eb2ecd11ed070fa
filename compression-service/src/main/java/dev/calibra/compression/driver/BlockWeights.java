package dev.calibra.compression.driver;

import java.io.IOException;
import java.util.List;

/**
 * Where results released from memory ({@link LayerResult#released}) are read back, one block at a time: the
 * block checkpoints, for the output writer and for replaying resumed blocks.
 */
public interface BlockWeights {

    /** Block {@code block}'s results, weights included. */
    List<LayerResult> read(int block) throws IOException;

    BlockWeights NONE = block -> {
        throw new IllegalStateException("block " + block + "'s weights were released and no checkpoint was given");
    };
}
