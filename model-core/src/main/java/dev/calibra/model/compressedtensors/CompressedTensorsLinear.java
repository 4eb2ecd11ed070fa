package dev.calibra.model.compressedtensors;

import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.HalfFloats;

/**
 * One linear in compressed-tensors' pack-quantized layout. Levels are signed, {@code q} in [-2^(b-1), 2^(b-1) - 1];
 * each is stored as {@code q + 2^(b-1)} in a {@code b}-bit field, field {@code i} of an int32 word at bits
 * {@code [i*b, (i+1)*b)}, padded with zeros:
 * <ul>
 *   <li>{@code weight_packed} int32 {@code [out, ceil(in * b / 32)]}, packed along the input;
 *   <li>{@code weight_scale} {@code [out, groups]} in the model's float dtype;
 *   <li>{@code weight_zero_point} int32 {@code [ceil(out * b / 32), groups]}, packed along the output (asymmetric only);
 *   <li>{@code weight_shape} int64 {@code [out, in]}; {@code weight_g_idx} int32 {@code [in]} (actorder "group" only).
 * </ul>
 * A weight is {@code (q - zp) * scale}, computed in the scale's dtype as compressed-tensors dequantizes.
 *
 * @param groupSize columns per group, -1 for one group per row (channel)
 * @param scales    the scales {@code [out, groups]}, exactly representable in {@code scaleDtype}
 * @param zeroPoints packed zero points; empty when symmetric
 * @param gIdx      the group of each input column; null for contiguous groups
 */
public record CompressedTensorsLinear(int bits, int outFeatures, int inFeatures, int groupSize, int groups, int[] packed,
        float[] scales, Dtype scaleDtype, int[] zeroPoints, int[] gIdx) {

    public CompressedTensorsLinear {
        CompressedTensorsConfig.requireBits(bits);
        check("weight_packed", packed.length, (long) outFeatures * words(inFeatures, bits));
        check("weight_scale", scales.length, (long) outFeatures * groups);
        if (groups != (groupSize > 0 ? (inFeatures + groupSize - 1) / groupSize : 1)) {
            throw new IllegalArgumentException("weight_scale: " + groups + " groups for " + inFeatures + " columns in groups of "
                    + groupSize);
        }
        if (zeroPoints.length != 0) {
            check("weight_zero_point", zeroPoints.length, (long) words(outFeatures, bits) * groups);
        }
        if (gIdx != null) {
            check("weight_g_idx", gIdx.length, inFeatures);
            for (int j = 0; j < inFeatures; j++) {
                if (gIdx[j] < 0 || gIdx[j] >= groups) {
                    throw new IllegalArgumentException("weight_g_idx[" + j + "] = " + gIdx[j] + " is outside 0.." + (groups - 1));
                }
            }
        }
    }

    private static void check(String tensor, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(tensor + ": expected " + expected + " elements, got " + actual);
        }
    }

    /** int32 words holding {@code count} fields of {@code bits}. */
    public static int words(int count, int bits) {
        return (int) (((long) count * bits + 31) / 32);
    }

    /**
     * Packs {@code count} signed levels read at {@code values[offset + k * stride]} into words written at
     * {@code out[outOffset + w * outStride]}.
     */
    static void pack(int[] values, int offset, int stride, int count, int bits, int[] out, int outOffset, int outStride) {
        int perWord = 32 / bits;
        int bias = 1 << (bits - 1);
        int mask = (1 << bits) - 1;
        for (int w = 0; w < words(count, bits); w++) {
            int word = 0;
            for (int i = 0; i < perWord && w * perWord + i < count; i++) {
                int q = values[offset + (w * perWord + i) * stride];
                if (q < -bias || q >= bias) {
                    throw new IllegalArgumentException("level " + q + " is outside the signed " + bits + "-bit range");
                }
                word |= ((q + bias) & mask) << (i * bits);
            }
            out[outOffset + w * outStride] = word;
        }
    }

    static int unpack(int[] words, int wordOffset, int wordStride, int index, int bits) {
        int perWord = 32 / bits;
        int word = words[wordOffset + (index / perWord) * wordStride];
        return ((word >>> ((index % perWord) * bits)) & ((1 << bits) - 1)) - (1 << (bits - 1));
    }

    /**
     * Packs signed levels {@code [out, in]} (row-major), signed zero points {@code [out, groups]} (null when
     * symmetric) and scales {@code [out, groups]} already in {@code scaleDtype}'s precision.
     */
    public static CompressedTensorsLinear pack(int bits, int outFeatures, int inFeatures, int groupSize, int[] levels,
            int[] zeros, float[] scales, Dtype scaleDtype, int[] gIdx) {
        CompressedTensorsConfig.requireBits(bits);
        int groups = scales.length / outFeatures;
        int rowWords = words(inFeatures, bits);
        int[] packed = new int[outFeatures * rowWords];
        for (int o = 0; o < outFeatures; o++) {
            pack(levels, o * inFeatures, 1, inFeatures, bits, packed, o * rowWords, 1);
        }
        int[] zeroPoints = new int[0];
        if (zeros != null) {
            zeroPoints = new int[words(outFeatures, bits) * groups];
            for (int g = 0; g < groups; g++) {
                // column g of the [out, groups] zero points, packed down the rows
                pack(zeros, g, groups, outFeatures, bits, zeroPoints, g, groups);
            }
        }
        return new CompressedTensorsLinear(bits, outFeatures, inFeatures, groupSize, groups, packed, scales, scaleDtype,
                zeroPoints, gIdx);
    }

    /** The dense weight {@code [out, in]}, row-major, as compressed-tensors' dequantize gives it. */
    public float[] dequantize() {
        float[] weight = new float[outFeatures * inFeatures];
        int rowWords = words(inFeatures, bits);
        for (int o = 0; o < outFeatures; o++) {
            for (int j = 0; j < inFeatures; j++) {
                int g = gIdx != null ? gIdx[j] : groupSize > 0 ? j / groupSize : 0;
                int q = unpack(packed, o * rowWords, 1, j, bits);
                int zp = zeroPoints.length == 0 ? 0 : unpack(zeroPoints, g, groups, o, bits);
                // compressed-tensors computes in the scale's dtype: a 16-bit scale's product is rounded to it
                weight[o * inFeatures + j] = HalfFloats.roundTo(scaleDtype, (q - zp) * scales[o * groups + g]);
            }
        }
        return weight;
    }

    /** Scales as stored: {@code [out, groups]} in {@code scaleDtype}. */
    public long[] scalesShape() {
        return new long[] {outFeatures, groups};
    }

    public long[] packedShape() {
        return new long[] {outFeatures, words(inFeatures, bits)};
    }

    public long[] zeroPointShape() {
        return new long[] {words(outFeatures, bits), groups};
    }
}
