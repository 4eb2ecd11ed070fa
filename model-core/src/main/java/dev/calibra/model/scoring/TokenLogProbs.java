package dev.calibra.model.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;

/**
 * Next-token log-probabilities of whole sequences, in one batched forward: for every sequence and every
 * position p, log P(token[p+1] | tokens[0..p]) and whether token[p+1] is the argmax.
 */
public final class TokenLogProbs {

    /** Tokens of a sequence that go into the forward: all, or all but the last of a context + 1 long one. */
    private static int fed(int[] sequence, int context) {
        return sequence.length == context + 1 ? context : sequence.length;
    }

    /** Per sequence: {@code logProbs[i][p]} and {@code greedy[i][p]} for p in 0..length-2. */
    public record Batch(double[][] logProbs, boolean[][] greedy) {}

    private TokenLogProbs() {}

    /**
     * Sequences may differ in length; shorter ones are padded on the right (causal: padding is never seen). The
     * whole sequence goes in, its last token too, as transformers scores one: a length-dependent rotary embedding
     * (dynamic NTK, LongRoPE) must see the sequence's full length. Only a sequence one token longer than the
     * context (lm-evaluation-harness's max_length + 1) leaves its last token out, having nowhere to put it.
     */
    public static Batch of(CausalLm model, int[][] sequences) {
        int context = model.config().maxPositionEmbeddings();
        int batch = sequences.length;
        int width = 0;
        for (int[] sequence : sequences) {
            width = Math.max(width, fed(sequence, context));
        }
        int[] inputs = new int[batch * width];
        long[] targets = new long[batch * width];
        for (int i = 0; i < batch; i++) {
            for (int p = 0; p < fed(sequences[i], context); p++) {
                inputs[i * width + p] = sequences[i][p];
                targets[i * width + p] = p + 1 < sequences[i].length ? sequences[i][p + 1] : 0;
            }
        }
        try (NDManager manager = model.newManager()) {
            NDArray logits = model.forward(manager.create(inputs, new Shape(batch, width)));
            // log softmax over the vocabulary, then the target's entry
            NDArray logSoftmax = logits.logSoftmax(-1);
            NDArray target = manager.create(targets, new Shape(batch, width, 1));
            float[] picked = logSoftmax.gather(target, 2).toFloatArray();
            long[] argMax = logits.argMax(-1).toType(DataType.INT64, false).toLongArray();
            double[][] logProbs = new double[batch][];
            boolean[][] greedy = new boolean[batch][];
            for (int i = 0; i < batch; i++) {
                int predicted = Math.max(0, sequences[i].length - 1);
                logProbs[i] = new double[predicted];
                greedy[i] = new boolean[predicted];
                for (int p = 0; p < predicted; p++) {
                    logProbs[i][p] = picked[i * width + p];
                    greedy[i][p] = argMax[i * width + p] == targets[i * width + p];
                }
            }
            return new Batch(logProbs, greedy);
        }
    }
}
