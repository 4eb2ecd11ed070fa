package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;
import java.util.ArrayList;
import java.util.List;

/** The data-free baseline: token ids drawn uniformly from [0, vocabulary size), row after row. */
public final class RandomTokensStrategy implements Strategy {

    @Override
    public String name() {
        return "random_tokens";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "uniform random vocabulary ids (a baseline without data)";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(PREPEND_BOS);
    }

    @Override
    public List<Sample> draw(DrawRequest request) {
        if (!request.corpora().isEmpty()) {
            throw new IllegalArgumentException("strategy random_tokens draws from no corpus; remove the corpora");
        }
        int vocabulary = request.tokenizer().vocabSize();
        SplitMix64 random = new SplitMix64(request.seed());
        int window = Strategy.bodyLength(request);
        List<Sample> rows = new ArrayList<>(request.nSamples());
        for (int i = 0; i < request.nSamples(); i++) {
            int[] body = new int[window];
            for (int t = 0; t < window; t++) {
                body[t] = Draws.uniform(random, vocabulary);
            }
            rows.add(new Sample(Strategy.withBos(request, body), "", -1, 0));
        }
        return rows;
    }
}
