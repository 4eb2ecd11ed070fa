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

    /** Per sequence: {@code logProbs[i][p]} and {@code greedy[i][p]} for p in 0..length-2. */
    public record Batch(double[][] logProbs, boolean[][] greedy) {}

    private TokenLogProbs() {}

    /** Sequences may differ in length; shorter ones are padded on the right (causal: padding is never seen). */
    public static Batch of(CausalLm model, int[][] sequences) {
        int batch = sequences.length;
        int width = 0;
        for (int[] sequence : sequences) {
            width = Math.max(width, sequence.length - 1);
        }
        int[] inputs = new int[batch * width];
        long[] targets = new long[batch * width];
        for (int i = 0; i < batch; i++) {
            for (int p = 0; p < sequences[i].length - 1; p++) {
                inputs[i * width + p] = sequences[i][p];
                targets[i * width + p] = sequences[i][p + 1];
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
