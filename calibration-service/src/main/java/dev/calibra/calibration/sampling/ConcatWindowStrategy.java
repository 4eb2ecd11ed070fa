package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Documents joined by an explicit separator into one token stream, then random windows of seq_len
 * tokens anywhere in it (windows may cross document boundaries and may overlap each other).
 */
public final class ConcatWindowStrategy implements Strategy {

    @Override
    public String name() {
        return "concat_window";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "documents joined by a separator and tokenized as one stream; random seq_len windows of it";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(SEPARATOR, CHUNK_CHARS, PREPEND_BOS);
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        CorpusTokens tokens = request.tokens(request.singleCorpus(name()));
        return drawFrom(tokens, request, new SplitMix64(request.seed()), request.nSamples());
    }

    static List<Sample> drawFrom(CorpusTokens tokens, DrawRequest request, SplitMix64 random, int samples)
            throws IOException {
        String separator = request.parameters().separator("separator");
        int chunkChars = request.parameters().integer("chunk_chars", 1000, 100_000_000);
        int window = Strategy.bodyLength(request);
        long total = tokens.joinedTokenCount(separator, chunkChars);
        if (total < window) {
            throw new IllegalArgumentException("corpus " + tokens.corpus().name() + " has " + total
                    + " tokens in all, fewer than one " + window + "-token window");
        }
        long[] offsets = new long[samples];
        for (int i = 0; i < samples; i++) {
            offsets[i] = Draws.uniform(random, total - window + 1);
        }
        return rows(tokens, request, offsets, window, separator, chunkChars);
    }

    static List<Sample> rows(CorpusTokens tokens, DrawRequest request, long[] offsets, int window, String separator,
            int chunkChars) throws IOException {
        int[][] windows = tokens.joinedWindows(offsets, window, separator, chunkChars);
        List<Sample> rows = new ArrayList<>(offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            rows.add(new Sample(Strategy.withBos(request, windows[i]), tokens.corpus().corpusId(), -1, offsets[i]));
        }
        return rows;
    }
}
