package dev.calibra.model.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.KvCache;
import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive generation with a key/value cache: the prompt is run once, then each new token costs
 * one 1-token forward. An empty prompt starts from BOS alone.
 */
public final class Generator {

    private final CausalLm model;

    public Generator(CausalLm model) {
        this.model = model;
    }

    /** Generates after {@code prompt}, stopping at the config's eos_token_id(s) when settings say so. */
    public GenerationResult generate(int[] prompt, GenerationSettings settings) {
        return generate(prompt, settings, model.config().eosTokenIds());
    }

    /** Generates after {@code prompt}, stopping at any of {@code eosIds} when settings say so. */
    public GenerationResult generate(int[] prompt, GenerationSettings settings, List<Integer> eosIds) {
        int[] start = prompt.length == 0 ? new int[] {model.config().bosTokenId()} : prompt;
        int contextLimit = model.config().maxPositionEmbeddings();
        SplitMix64 random = new SplitMix64(settings.seed());
        int[] history = Arrays.copyOf(start, start.length + settings.maxNewTokens());
        int length = start.length;
        int generated = 0;
        try (NDManager manager = model.newManager(); KvCache cache = model.newCache(manager)) {
            int[] input = start;
            while (generated < settings.maxNewTokens()) {
                if (length >= contextLimit) {
                    return new GenerationResult(Arrays.copyOfRange(history, start.length, length),
                            GenerationResult.StopReason.CONTEXT_FULL);
                }
                float[] logits = lastLogits(manager, input, cache);
                int token = Sampler.next(logits, Arrays.copyOf(history, length), settings, random);
                history[length++] = token;
                generated++;
                if (settings.stopAtEos() && eosIds.contains(token)) {
                    return new GenerationResult(Arrays.copyOfRange(history, start.length, length),
                            GenerationResult.StopReason.EOS);
                }
                input = new int[] {token};
            }
        }
        return new GenerationResult(Arrays.copyOfRange(history, start.length, length),
                GenerationResult.StopReason.MAX_NEW_TOKENS);
    }

    /** Logits of the last position after feeding {@code input} on top of the cache. */
    private float[] lastLogits(NDManager manager, int[] input, KvCache cache) {
        try (NDManager step = manager.newSubManager()) {
            NDArray ids = step.create(input, new Shape(1, input.length));
            NDArray logits = model.forward(ids, cache);
            return logits.get(0, input.length - 1).toFloatArray();
        }
    }
}
