package dev.calibra.compression.driver;

import java.io.IOException;
import java.util.List;

/**
 * Where a run starts: the number of blocks already compressed and their results (from a checkpoint).
 *
 * @param blocks   blocks 0..blocks-1 are done
 * @param results  their linears' results, in block order; released ones ({@link LayerResult#released}) are read
 *                 back from {@code released} one block at a time, so resuming late in a large model does not
 *                 hold every earlier block's weights
 * @param released where released results' weights are
 */
public record ResumeState(int blocks, List<LayerResult> results, BlockWeights released) {

    public static final ResumeState FRESH = new ResumeState(0, List.of());

    public ResumeState {
        results = List.copyOf(results);
    }

    /** Results that carry their weights. */
    public ResumeState(int blocks, List<LayerResult> results) {
        this(blocks, results, BlockWeights.NONE);
    }

    /** Block {@code block}'s results with their weights. */
    List<LayerResult> withWeights(int block) throws IOException {
        List<LayerResult> kept = results.stream().filter(r -> r.block() == block).toList();
        return kept.stream().allMatch(r -> r.layer().weight() != null) ? kept : released.read(block);
    }
}
