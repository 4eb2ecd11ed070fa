package dev.calibra.calibration.sampling;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.model.tokenizer.Tokenizer;
import java.util.List;

/**
 * Everything a strategy draws from.
 *
 * @param nSamples   rows to draw, > 0
 * @param seqLen     tokens per row, > 0
 * @param seed       seed of the SplitMix64 generator
 * @param parameters resolved strategy parameters
 * @param corpora    the corpora in request order (empty for random_tokens or self_generated from BOS)
 * @param tokenizer  the model's tokenizer
 * @param model      the model, loaded on first use
 * @param tokenCache where tokenized corpora are cached (null: tokenize on every draw)
 */
public record DrawRequest(int nSamples, int seqLen, long seed, Parameters parameters, List<CorpusInput> corpora,
        Tokenizer tokenizer, ModelAccess model, ArtifactStore tokenCache) {

    public DrawRequest {
        if (nSamples <= 0) {
            throw new IllegalArgumentException("n_samples must be > 0, got " + nSamples);
        }
        if (seqLen <= 0) {
            throw new IllegalArgumentException("seq_len must be > 0, got " + seqLen);
        }
        corpora = List.copyOf(corpora);
    }

    /** The one corpus of a single-source strategy. */
    public CorpusInput singleCorpus(String strategy) {
        if (corpora.size() != 1) {
            throw new IllegalArgumentException("strategy " + strategy + " draws from exactly one corpus, got " + corpora.size()
                    + (corpora.size() > 1 ? "; use strategy mixture for several" : ""));
        }
        return corpora.get(0);
    }

    /** The same request for a different number of rows (to draw replacements for dropped samples). */
    public DrawRequest withSamples(int samples) {
        return new DrawRequest(samples, seqLen, seed, parameters, corpora, tokenizer, model, tokenCache);
    }

    /** A corpus seen through this request's tokenizer (and token cache). */
    public CorpusTokens tokens(CorpusInput corpus) {
        return new CorpusTokens(corpus, tokenizer, tokenCache);
    }
}
