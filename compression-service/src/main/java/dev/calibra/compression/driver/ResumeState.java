package dev.calibra.compression.driver;

import java.util.List;

/**
 * Where a run starts: the number of blocks already compressed and their results (from a checkpoint).
 *
 * @param blocks  blocks 0..blocks-1 are done
 * @param results their linears' results, in block order
 */
public record ResumeState(int blocks, List<LayerResult> results) {

    public static final ResumeState FRESH = new ResumeState(0, List.of());

    public ResumeState {
        results = List.copyOf(results);
    }
}
