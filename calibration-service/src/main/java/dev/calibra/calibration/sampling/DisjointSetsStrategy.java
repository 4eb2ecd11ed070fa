package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;
import java.io.IOException;
import java.util.List;

/**
 * k calibration sets from one source that share no token window (Williams & Aletras draw ten
 * non-overlapping sets per source). The joined stream is cut into consecutive slots of seq_len tokens;
 * a seeded Fisher-Yates shuffle of the first k * n slot positions deals slots n at a time, and set i
 * takes deal i. The shuffle depends only on seed, k, n and the slot count, so set i is reproducible alone.
 */
public final class DisjointSetsStrategy implements Strategy {

    static final ParameterSpec SET_INDEX = new ParameterSpec("set_index", "int", "0", "[0, set_count)",
            "which of the k disjoint sets to draw (0-based)");
    static final ParameterSpec SET_COUNT = new ParameterSpec("set_count", "int", "10", "[1, 10000]",
            "k, the number of mutually disjoint sets the source is dealt into");

    @Override
    public String name() {
        return "disjoint_sets";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "set i of k sets from one source that share no token window (the paper's ten non-overlapping sets)";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(SET_INDEX, SET_COUNT, SEPARATOR, CHUNK_CHARS, PREPEND_BOS);
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        CorpusTokens tokens = request.tokens(request.singleCorpus(name()));
        int setCount = request.parameters().integer("set_count", 1, 10_000);
        int setIndex = request.parameters().integer("set_index", 0, setCount - 1);
        String separator = request.parameters().separator("separator");
        int chunkChars = request.parameters().integer("chunk_chars", 1000, 100_000_000);
        int window = Strategy.bodyLength(request);
        long total = tokens.joinedTokenCount(separator, chunkChars);
        long slots = total / window;
        long needed = (long) setCount * request.nSamples();
        if (slots < needed) {
            throw new IllegalArgumentException("corpus " + tokens.corpus().name() + " has " + total + " tokens, room for "
                    + slots + " disjoint " + window + "-token windows, but set_count " + setCount + " x n_samples "
                    + request.nSamples() + " needs " + needed);
        }
        int[] slotOrder = new int[Math.toIntExact(slots)];
        for (int i = 0; i < slotOrder.length; i++) {
            slotOrder[i] = i;
        }
        Draws.partialShuffle(new SplitMix64(request.seed()), slotOrder, Math.toIntExact(needed));
        long[] offsets = new long[request.nSamples()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (long) slotOrder[setIndex * request.nSamples() + i] * window;
        }
        return ConcatWindowStrategy.rows(tokens, request, offsets, window, separator, chunkChars);
    }
}
