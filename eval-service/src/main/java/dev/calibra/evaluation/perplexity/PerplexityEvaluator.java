package dev.calibra.evaluation.perplexity;

import dev.calibra.evaluation.scoring.BatchedScorer;
import dev.calibra.model.CausalLm;
import dev.calibra.model.scoring.LogLikelihood;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.PerplexityResult;
import dev.calibra.model.scoring.WindowConvention;
import dev.calibra.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleConsumer;
import java.util.regex.Pattern;

/** Perplexity of documents under a model, in the GPTQ or the rolling convention. */
public final class PerplexityEvaluator {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final int batchSize;

    public PerplexityEvaluator(CausalLm model, Tokenizer tokenizer, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /**
     * @param documents the text: one document for a plain file, a corpus's documents otherwise
     * @param maxTokens GPTQ only: model-input tokens used, BOS included (0 = all)
     * @param progress  hears the fraction done
     */
    public PerplexityScores evaluate(List<String> documents, Convention convention, int seqLen, int maxTokens,
            String name, DoubleConsumer progress) {
        checkSeqLen(seqLen);
        return switch (convention) {
            case GPTQ -> gptq(gptqStream(tokenizer, documents, maxTokens), seqLen, maxTokens, name, progress);
            case ROLLING -> rolling(documents, seqLen, progress);
        };
    }

    /**
     * The GPTQ convention's input: the documents joined by a blank line, encoded whole without BOS, then cut
     * to the {@code maxTokens - 1} tokens that follow BOS in the windows (0 = all): the cut changes no window.
     */
    public static TokenStream gptqStream(Tokenizer tokenizer, List<String> documents, int maxTokens) {
        int[] stream = tokenizer.encode(String.join("\n\n", documents), false);
        int kept = maxTokens > 0 ? Math.min(stream.length, maxTokens - 1) : stream.length;
        return new TokenStream(kept == stream.length ? stream : Arrays.copyOf(stream, kept), stream.length);
    }

    /** Perplexity in the GPTQ convention of a stream from {@link #gptqStream}. */
    public PerplexityScores gptq(TokenStream stream, int seqLen, int maxTokens, String name, DoubleConsumer progress) {
        checkSeqLen(seqLen);
        if (stream.encodedLength() + 1 < seqLen || (maxTokens > 0 && maxTokens < seqLen)) {
            throw new IllegalArgumentException(name + ": " + (stream.encodedLength() + 1) + " tokens (BOS included)"
                    + (maxTokens > 0 ? ", max_tokens " + maxTokens : "") + " do not fill one window of seq_len " + seqLen);
        }
        PerplexityResult result = new Perplexity(model, batchSize).evaluate(stream.tokens(), tokenizer.bosId(), seqLen,
                WindowConvention.GPTQ, maxTokens);
        progress.accept(1);
        return new PerplexityScores(Convention.GPTQ, result.perplexity(), result.predictedTokens(), result.windows(),
                Double.NaN, Double.NaN);
    }

    private void checkSeqLen(int seqLen) {
        int context = model.config().maxPositionEmbeddings();
        if (seqLen < 2 || seqLen > context) {
            throw new IllegalArgumentException("seq_len must be in [2, " + context + "] (the model's context), got " + seqLen);
        }
    }

    /**
     * Token ids without BOS, kept as far as a GPTQ evaluation reads them.
     *
     * @param encodedLength tokens the whole text encoded to, before the cut (the "fills one window" check)
     */
    public record TokenStream(int[] tokens, int encodedLength) {}

    private PerplexityScores rolling(List<String> documents, int seqLen, DoubleConsumer progress) {
        List<LogLikelihoodRequest> requests = new ArrayList<>();
        long words = 0;
        long bytes = 0;
        for (String document : documents) {
            requests.addAll(RollingWindows.of(tokenizer.encode(document, false), tokenizer.bosId(), seqLen));
            words += WHITESPACE.split(document, -1).length;
            bytes += document.getBytes(StandardCharsets.UTF_8).length;
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("the text has no tokens to score");
        }
        int total = requests.size();
        List<LogLikelihood> results = new BatchedScorer(model, batchSize).score(requests, done -> progress.accept((double) done / total));
        double logLikelihood = 0;
        long tokens = 0;
        for (LogLikelihood result : results) {
            logLikelihood += result.logProb();
            tokens += result.tokens();
        }
        return new PerplexityScores(Convention.ROLLING, Math.exp(-logLikelihood / tokens), tokens, total,
                Math.exp(-logLikelihood / words), -logLikelihood / bytes / Math.log(2));
    }
}
