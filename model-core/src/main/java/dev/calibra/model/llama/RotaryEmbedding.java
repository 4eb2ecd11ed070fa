package dev.calibra.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in HF's rotate-half convention (transformers {@code LlamaRotaryEmbedding},
 * {@code apply_rotary_pos_emb}): the two halves of each head are the rotated pairs.
 */
final class RotaryEmbedding {

    private final int headDim;
    private final double[] inverseFrequencies;

    RotaryEmbedding(int headDim, double theta) {
        this.headDim = headDim;
        // inv_freq_i = theta^(-2i/d), i < d/2
        this.inverseFrequencies = new double[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) {
            inverseFrequencies[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
    }

    /** cos and sin tables {@code [positions, head_dim]} for positions offset..offset+positions-1. */
    NDArray[] cosSin(NDManager manager, int offset, int positions) {
        float[] cos = new float[positions * headDim];
        float[] sin = new float[positions * headDim];
        int half = headDim / 2;
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                // emb = cat(freqs, freqs): angle (offset+p) * inv_freq_i for both halves
                double angle = (offset + p) * inverseFrequencies[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * headDim + i] = c;
                cos[p * headDim + half + i] = c;
                sin[p * headDim + i] = s;
                sin[p * headDim + half + i] = s;
            }
        }
        Shape shape = new Shape(positions, headDim);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /** x * cos + rotate_half(x) * sin, x {@code [batch, heads, seq, head_dim]}. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        // rotate_half(x) = cat(-x2, x1)
        NDArray x1 = x.get("..., :{}", half);
        NDArray x2 = x.get("..., {}:", half);
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
