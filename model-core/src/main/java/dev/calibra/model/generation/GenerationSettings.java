package dev.calibra.model.generation;

/**
 * Everything that changes generated tokens.
 *
 * @param maxNewTokens      stop after this many new tokens
 * @param temperature       0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK              keep the k most likely tokens (0 = all)
 * @param topP              keep the smallest set of most likely tokens whose probability reaches p (1 = all)
 * @param repetitionPenalty CTRL/HF penalty on tokens already present (1 = none): positive logits are
 *                          divided by it, negative ones multiplied
 * @param seed              seed of the {@link SplitMix64} generator; the same seed gives the same tokens
 * @param stopAtEos         stop when an end-of-sequence token is generated
 */
public record GenerationSettings(int maxNewTokens, double temperature, int topK, double topP,
        double repetitionPenalty, long seed, boolean stopAtEos) {

    public GenerationSettings {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
        }
    }

    /** Greedy decoding, stopping at EOS. */
    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, 1, 0, true);
    }

    /** Sampling at a temperature with top-p, stopping at EOS. */
    public static GenerationSettings sampled(int maxNewTokens, double temperature, double topP, long seed) {
        return new GenerationSettings(maxNewTokens, temperature, 0, topP, 1, seed, true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
