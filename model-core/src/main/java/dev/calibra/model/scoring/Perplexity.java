package dev.calibra.model.scoring;

import dev.calibra.model.CausalLm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Perplexity of a model over a token stream in non-overlapping windows (see {@link WindowConvention}).
 * The stream is the text's token ids without BOS; {@code maxTokens} (0 = all) caps the model-input tokens
 * used, BOS included, so "the first 2,048 tokens, 8 windows of 256" is {@code maxTokens = 2048, seqLen = 256}.
 */
public final class Perplexity {

    private final CausalLm model;
    private final int batchSize;

    public Perplexity(CausalLm model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
    }

    public PerplexityResult evaluate(int[] streamWithoutBos, int bosId, int seqLen, WindowConvention convention,
            int maxTokens) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("seqLen must be at least 2, got " + seqLen);
        }
        List<int[]> windows = windows(streamWithoutBos, bosId, seqLen, convention, maxTokens);
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("the stream has fewer than seqLen " + seqLen + " tokens");
        }
        double nllSum = 0;
        long predicted = 0;
        for (int start = 0; start < windows.size(); start += batchSize) {
            int[][] batch = windows.subList(start, Math.min(windows.size(), start + batchSize)).toArray(int[][]::new);
            for (double[] logProbs : TokenLogProbs.of(model, batch).logProbs()) {
                for (double logProb : logProbs) {
                    nllSum -= logProb;
                    predicted++;
                }
            }
        }
        double meanNll = nllSum / predicted;
        return new PerplexityResult(Math.exp(meanNll), meanNll, predicted, windows.size(), seqLen, convention);
    }

    /** The model inputs, each seqLen tokens long. */
    static List<int[]> windows(int[] stream, int bosId, int seqLen, WindowConvention convention, int maxTokens) {
        List<int[]> windows = new ArrayList<>();
        switch (convention) {
            case GPTQ -> {
                // BOS once, then windows of seqLen cut from the stream; leftover dropped
                int[] withBos = new int[stream.length + 1];
                withBos[0] = bosId;
                System.arraycopy(stream, 0, withBos, 1, stream.length);
                int usable = maxTokens > 0 ? Math.min(maxTokens, withBos.length) : withBos.length;
                for (int start = 0; start + seqLen <= usable; start += seqLen) {
                    windows.add(Arrays.copyOfRange(withBos, start, start + seqLen));
                }
            }
            case BOS_PER_WINDOW -> {
                // BOS + seqLen - 1 stream tokens per window
                int textPerWindow = seqLen - 1;
                int maxWindows = maxTokens > 0 ? maxTokens / seqLen : Integer.MAX_VALUE;
                for (int start = 0; start + textPerWindow <= stream.length && windows.size() < maxWindows;
                        start += textPerWindow) {
                    int[] window = new int[seqLen];
                    window[0] = bosId;
                    System.arraycopy(stream, start, window, 1, textPerWindow);
                    windows.add(window);
                }
            }
        }
        return windows;
    }
}
