package dev.calibra.model.gptq;

import dev.calibra.model.safetensors.HalfFloats;

/**
 * One linear in the GPTQ v1 packed format of AutoGPTQ / transformers:
 * {@code qweight} int32 {@code [in / 32 * bits, out]} (levels packed along the input dimension),
 * {@code qzeros} int32 {@code [groups, out / 32 * bits]} (zero points minus one, packed along the output),
 * {@code scales} float16 {@code [groups, out]} (kept here as the float16 bit patterns), {@code g_idx} int32
 * {@code [in]} (the group of each input column). A weight is {@code scale * (level - (storedZero + 1))}.
 */
public record PackedLinear(int bits, int outFeatures, int inFeatures, int groups, int[] qweight, int[] qzeros,
        short[] scalesF16, int[] gIdx) {

    public PackedLinear {
        GptqBitPacking.requireBits(bits);
        check("qweight", qweight.length, (long) GptqBitPacking.wordCount(inFeatures, bits) * outFeatures);
        check("qzeros", qzeros.length, (long) groups * GptqBitPacking.wordCount(outFeatures, bits));
        check("scales", scalesF16.length, (long) groups * outFeatures);
        check("g_idx", gIdx.length, inFeatures);
        for (int j = 0; j < inFeatures; j++) {
            if (gIdx[j] < 0 || gIdx[j] >= groups) {
                throw new IllegalArgumentException("g_idx[" + j + "] = " + gIdx[j] + " is outside 0.." + (groups - 1));
            }
        }
    }

    private static void check(String tensor, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(tensor + ": expected " + expected + " elements, got " + actual);
        }
    }

    public long[] qweightShape() {
        return new long[] {GptqBitPacking.wordCount(inFeatures, bits), outFeatures};
    }

    public long[] qzerosShape() {
        return new long[] {groups, GptqBitPacking.wordCount(outFeatures, bits)};
    }

    public long[] scalesShape() {
        return new long[] {groups, outFeatures};
    }

    /** Whether a linear of this shape can be packed: both dimensions a multiple of 32. */
    public static boolean packable(int outFeatures, int inFeatures) {
        return outFeatures % 32 == 0 && inFeatures % 32 == 0;
    }

    /**
     * Packs integer levels {@code [out, in]} (row-major), integer zero points and float scales
     * {@code [groups, out]} and {@code g_idx}. A zero point of 0 cannot be stored in v1 (zeros minus one,
     * packed unsigned) and is refused.
     */
    public static PackedLinear pack(int bits, int outFeatures, int inFeatures, int[] levels, int[] zeros,
            float[] scales, int[] gIdx) {
        GptqBitPacking.requireBits(bits);
        if (!packable(outFeatures, inFeatures)) {
            throw new IllegalArgumentException("shape [" + outFeatures + ", " + inFeatures
                    + "] cannot be packed: GPTQ packs 32 values at a time, so out and in must be multiples of 32");
        }
        int groups = scales.length / outFeatures;
        int[] qweight = new int[GptqBitPacking.wordCount(inFeatures, bits) * outFeatures];
        for (int o = 0; o < outFeatures; o++) {
            // column o of qweight packs row o of the levels (the transpose, as AutoGPTQ's intweight.t())
            GptqBitPacking.pack(levels, o * inFeatures, 1, inFeatures, bits, qweight, o, outFeatures);
        }
        int[] storedZeros = new int[zeros.length];
        for (int k = 0; k < zeros.length; k++) {
            if (zeros[k] < 1) {
                throw new IllegalArgumentException("zero point " + zeros[k] + " (group " + k / outFeatures + ", row "
                        + k % outFeatures + ") cannot be stored in GPTQ v1, which stores zeros minus one");
            }
            storedZeros[k] = zeros[k] - 1;                               // v1 convention: zeros - 1
        }
        int zeroWords = GptqBitPacking.wordCount(outFeatures, bits);
        int[] qzeros = new int[groups * zeroWords];
        for (int g = 0; g < groups; g++) {
            GptqBitPacking.pack(storedZeros, g * outFeatures, 1, outFeatures, bits, qzeros, g * zeroWords, 1);
        }
        short[] scalesF16 = new short[scales.length];
        for (int k = 0; k < scales.length; k++) {
            scalesF16[k] = HalfFloats.floatToF16(scales[k]);
        }
        return new PackedLinear(bits, outFeatures, inFeatures, groups, qweight, qzeros, scalesF16, gIdx.clone());
    }

    /** The float32 weight {@code [out, in]}: {@code scale[g_idx[j], o] * (level[o, j] - (qzero[g_idx[j], o] + 1))}. */
    public float[] dequantize() {
        int[] levels = new int[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++) {
            GptqBitPacking.unpack(qweight, o, outFeatures, inFeatures, bits, levels, o * inFeatures, 1);
        }
        int zeroWords = GptqBitPacking.wordCount(outFeatures, bits);
        int[] zeros = new int[groups * outFeatures];
        for (int g = 0; g < groups; g++) {
            GptqBitPacking.unpack(qzeros, g * zeroWords, 1, outFeatures, bits, zeros, g * outFeatures, 1);
        }
        float[] weight = new float[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++) {
            for (int j = 0; j < inFeatures; j++) {
                int p = gIdx[j] * outFeatures + o;
                float scale = HalfFloats.f16ToFloat(scalesF16[p]);
                weight[o * inFeatures + j] = scale * (levels[o * inFeatures + j] - (zeros[p] + 1));
            }
        }
        return weight;
    }
}
