package dev.calibra.model.awq;

import dev.calibra.model.safetensors.HalfFloats;

/**
 * One linear in AutoAWQ's GEMM layout ({@code WQLinear_GEMM}, what transformers and vLLM load for
 * {@code quant_method "awq", version "gemm"}), 4-bit with zero points:
 * <ul>
 *   <li>{@code qweight} int32 {@code [in, out / 8]}: word {@code [i, c]} holds the codes of input {@code i} for
 *       outputs {@code 8c + ORDER[k]} in bits {@code 4k..4k+3};</li>
 *   <li>{@code qzeros} int32 {@code [groups, out / 8]}: the zero points, packed the same way (stored as they are,
 *       not minus one as GPTQ v1 does);</li>
 *   <li>{@code scales} float16 {@code [groups, out]}, group {@code g} covering inputs {@code g * groupSize ..};</li>
 * </ul>
 * A weight is {@code (code - zero) * scale}.
 */
public record AwqPackedLinear(int outFeatures, int inFeatures, int groupSize, int[] qweight, int[] qzeros, short[] scalesF16) {

    public static final int BITS = 4;
    /** Codes per int32 word. */
    public static final int PACK = 32 / BITS;
    /** AutoAWQ's interleaving: the k-th nibble of a word holds output {@code 8c + ORDER[k]}. */
    private static final int[] ORDER = {0, 2, 4, 6, 1, 3, 5, 7};

    public AwqPackedLinear {
        String why = whyNotPackable(outFeatures, inFeatures, groupSize);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        int groups = inFeatures / groupSize;
        check("qweight", qweight.length, (long) inFeatures * (outFeatures / PACK));
        check("qzeros", qzeros.length, (long) groups * (outFeatures / PACK));
        check("scales", scalesF16.length, (long) groups * outFeatures);
    }

    private static void check(String tensor, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(tensor + ": expected " + expected + " elements, got " + actual);
        }
    }

    /** Why a linear of this shape and group size cannot be stored in the GEMM layout, or null when it can. */
    public static String whyNotPackable(int outFeatures, int inFeatures, int groupSize) {
        if (groupSize <= 0) {
            return "AWQ GEMM needs groups of input columns (group_size > 0), got " + groupSize;
        }
        if (inFeatures % groupSize != 0) {
            return "group_size " + groupSize + " does not divide the " + inFeatures + " input columns";
        }
        if (outFeatures % PACK != 0) {
            return outFeatures + " output rows are not a multiple of " + PACK + " (AWQ GEMM packs 8 outputs per int32)";
        }
        return null;
    }

    public int groups() {
        return inFeatures / groupSize;
    }

    public long[] qweightShape() {
        return new long[] {inFeatures, outFeatures / PACK};
    }

    public long[] qzerosShape() {
        return new long[] {groups(), outFeatures / PACK};
    }

    public long[] scalesShape() {
        return new long[] {groups(), outFeatures};
    }

    /**
     * Packs 4-bit codes {@code [out, in]} (row-major) with integer zero points and float scales, both
     * {@code [out, groups]} row-major (one row of groups per output, as the quantizer makes them).
     */
    public static AwqPackedLinear pack(int outFeatures, int inFeatures, int groupSize, byte[] codes, float[] zeros,
            float[] scales) {
        String why = whyNotPackable(outFeatures, inFeatures, groupSize);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        int groups = inFeatures / groupSize;
        int words = outFeatures / PACK;
        int[] qweight = new int[inFeatures * words];
        for (int i = 0; i < inFeatures; i++) {
            for (int c = 0; c < words; c++) {
                int word = 0;
                for (int k = 0; k < PACK; k++) {
                    word |= nibble(codes[(c * PACK + ORDER[k]) * inFeatures + i], "code") << (BITS * k);
                }
                qweight[i * words + c] = word;
            }
        }
        int[] qzeros = new int[groups * words];
        short[] scalesF16 = new short[groups * outFeatures];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < words; c++) {
                int word = 0;
                for (int k = 0; k < PACK; k++) {
                    float zero = zeros[(c * PACK + ORDER[k]) * groups + g];
                    if (zero != Math.rint(zero)) {
                        throw new IllegalArgumentException("zero point " + zero + " is not an integer");
                    }
                    word |= nibble((int) zero, "zero point") << (BITS * k);
                }
                qzeros[g * words + c] = word;
            }
            for (int o = 0; o < outFeatures; o++) {
                scalesF16[g * outFeatures + o] = HalfFloats.floatToF16(scales[o * groups + g]);
            }
        }
        return new AwqPackedLinear(outFeatures, inFeatures, groupSize, qweight, qzeros, scalesF16);
    }

    private static int nibble(int value, String what) {
        if (value < 0 || value > 15) {
            throw new IllegalArgumentException(what + " " + value + " does not fit in 4 bits");
        }
        return value;
    }

    /** The codes {@code [out, in]}. */
    public int[] codes() {
        int words = outFeatures / PACK;
        int[] codes = new int[outFeatures * inFeatures];
        for (int i = 0; i < inFeatures; i++) {
            for (int c = 0; c < words; c++) {
                int word = qweight[i * words + c];
                for (int k = 0; k < PACK; k++) {
                    codes[(c * PACK + ORDER[k]) * inFeatures + i] = (word >>> (BITS * k)) & 0xF;
                }
            }
        }
        return codes;
    }

    /** The zero points {@code [groups, out]}. */
    public int[] zeros() {
        int words = outFeatures / PACK;
        int[] zeros = new int[groups() * outFeatures];
        for (int g = 0; g < groups(); g++) {
            for (int c = 0; c < words; c++) {
                int word = qzeros[g * words + c];
                for (int k = 0; k < PACK; k++) {
                    zeros[g * outFeatures + c * PACK + ORDER[k]] = (word >>> (BITS * k)) & 0xF;
                }
            }
        }
        return zeros;
    }

    /** The float32 weight {@code [out, in]}: {@code (code - zero) * scale}, exact (a 4-bit integer times a float16). */
    public float[] dequantize() {
        int[] codes = codes();
        int[] zeros = zeros();
        float[] weight = new float[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++) {
            for (int i = 0; i < inFeatures; i++) {
                int p = (i / groupSize) * outFeatures + o;
                weight[o * inFeatures + i] = (codes[o * inFeatures + i] - zeros[p]) * HalfFloats.f16ToFloat(scalesF16[p]);
            }
        }
        return weight;
    }
}
