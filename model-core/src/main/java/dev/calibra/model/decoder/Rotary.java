package dev.calibra.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in HF's rotate-half convention (transformers {@code apply_rotary_pos_emb}): the
 * first {@code rotaryDim} dimensions of each head rotate as two halves, the rest pass through (partial rotary).
 */
final class Rotary {

    private Rotary() {}

    /**
     * cos and sin tables {@code [positions, rotary_dim]}, already scaled by the attention factor, for positions
     * offset..offset+positions-1 of a sequence {@code length} long.
     */
    static NDArray[] cosSin(RopeSpec rope, NDManager manager, int offset, int positions, int length) {
        RopeSpec.Frequencies frequencies = rope.at(length);
        int dim = rope.rotaryDim();
        int half = dim / 2;
        float[] cos = new float[positions * dim];
        float[] sin = new float[positions * dim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                // emb = cat(freqs, freqs): angle (offset+p) * inv_freq_i for both halves; cos, sin * attention_scaling
                double angle = (offset + p) * frequencies.inverse()[i];
                float c = (float) (Math.cos(angle) * frequencies.attentionFactor());
                float s = (float) (Math.sin(angle) * frequencies.attentionFactor());
                cos[p * dim + i] = c;
                cos[p * dim + half + i] = c;
                sin[p * dim + i] = s;
                sin[p * dim + half + i] = s;
            }
        }
        Shape shape = new Shape(positions, dim);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /** x * cos + rotate_half(x) * sin on the first rotary_dim dims of x {@code [batch, heads, seq, head_dim]}. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long headDim = x.getShape().get(3);
        long dim = cos.getShape().get(1);
        NDArray rotary = dim == headDim ? x : x.get("..., :{}", dim);
        long half = dim / 2;
        // rotate_half(x) = cat(-x2, x1)
        NDArray x1 = rotary.get("..., :{}", half);
        NDArray x2 = rotary.get("..., {}:", half);
        NDArray rotated = rotary.mul(cos).add(x2.neg().concat(x1, -1).mul(sin));
        return dim == headDim ? rotated : rotated.concat(x.get("..., {}:", dim), -1);
    }
}
