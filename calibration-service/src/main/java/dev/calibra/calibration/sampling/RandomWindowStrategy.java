package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The GPTQ / Wanda calibration loader (gptq datautils.get_c4, wanda data.get_c4): pick a random document
 * whose token count passes the length rule, then a random window of seq_len tokens inside it. The loaders
 * retry random documents until one is long enough, which is a uniform choice among the eligible ones;
 * here that choice is made directly. Window starts are uniform in [0, len - seq_len - 1] under '>'
 * (gptq's randint(0, len - seqlen - 1)) and in [0, len - seq_len] under '>='.
 */
public final class RandomWindowStrategy implements Strategy {

    static final ParameterSpec LENGTH_RULE = new ParameterSpec("length_rule", "enum", ">", ">, >=",
            "a document is long enough when its token count is > (gptq, wanda) or >= the window length");

    @Override
    public String name() {
        return "random_window";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "GPTQ/Wanda loader: a random document long enough, a random window of seq_len tokens in it";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(LENGTH_RULE, PREPEND_BOS);
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        CorpusInput corpus = request.singleCorpus(name());
        return drawFrom(request.tokens(corpus), request, new SplitMix64(request.seed()),
                request.nSamples());
    }

    static List<Sample> drawFrom(CorpusTokens tokens, DrawRequest request, SplitMix64 random, int samples)
            throws IOException {
        boolean strictlyLonger = request.parameters().oneOf("length_rule", ">", ">=").equals(">");
        int window = Strategy.bodyLength(request);
        int[] lengths = tokens.documentLengths();
        int[] eligible = eligible(lengths, window, strictlyLonger);
        if (eligible.length == 0) {
            int longest = 0;
            for (int length : lengths) {
                longest = Math.max(longest, length);
            }
            throw new IllegalArgumentException("no document of corpus " + tokens.corpus().name() + " is long enough for a "
                    + window + "-token window (length_rule '" + (strictlyLonger ? ">" : ">=") + "'); the longest has "
                    + longest + " tokens; lower seq_len or use concat_window");
        }
        long[] documents = new long[samples];
        int[] offsets = new int[samples];
        for (int i = 0; i < samples; i++) {
            int document = eligible[Draws.uniform(random, eligible.length)];
            documents[i] = document;
            offsets[i] = Draws.uniform(random, lengths[document] - window + (strictlyLonger ? 0 : 1));
        }
        TreeSet<Long> chosen = new TreeSet<>();
        for (long document : documents) {
            chosen.add(document);
        }
        Map<Long, int[]> texts = tokens.documents(chosen);
        List<Sample> rows = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            int[] body = java.util.Arrays.copyOfRange(texts.get(documents[i]), offsets[i], offsets[i] + window);
            rows.add(new Sample(Strategy.withBos(request, body), tokens.corpus().corpusId(), documents[i], offsets[i]));
        }
        return rows;
    }

    private static int[] eligible(int[] lengths, int window, boolean strictlyLonger) {
        return java.util.stream.IntStream.range(0, lengths.length)
                .filter(i -> strictlyLonger ? lengths[i] > window : lengths[i] >= window).toArray();
    }
}
