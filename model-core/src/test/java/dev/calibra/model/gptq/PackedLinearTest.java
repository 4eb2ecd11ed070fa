package dev.calibra.model.gptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.calibra.model.safetensors.HalfFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedLinearTest {

    @Test
    void packThenDequantize_givesScaleTimesLevelMinusZero_withActOrderGroups() {
        int out = 64;
        int in = 96;
        int bits = 3;
        int groups = 3;
        Random random = new Random(7);
        int[] levels = new int[out * in];
        for (int k = 0; k < levels.length; k++) {
            levels[k] = random.nextInt(8);
        }
        int[] zeros = new int[groups * out];
        float[] scales = new float[groups * out];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = 1 + random.nextInt(7);
            scales[k] = 0.01f + random.nextFloat() * 0.1f;
        }
        int[] gIdx = new int[in];
        for (int j = 0; j < in; j++) {
            gIdx[j] = (j * 7) % groups;                 // not monotonic, as with act-order
        }
        PackedLinear packed = PackedLinear.pack(bits, out, in, levels, zeros, scales, gIdx);
        assertArrayEquals(new long[] {in / 32 * bits, out}, packed.qweightShape());
        assertArrayEquals(new long[] {groups, out / 32 * bits}, packed.qzerosShape());
        float[] weight = packed.dequantize();
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                int p = gIdx[j] * out + o;
                float scale = HalfFloats.f16ToFloat(HalfFloats.floatToF16(scales[p]));
                assertEquals(scale * (levels[o * in + j] - zeros[p]), weight[o * in + j], 0f);
            }
        }
    }

    @Test
    void pack_172WideShape_isRefusedNamingTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedLinear.pack(4, 172, 64,
                new int[172 * 64], new int[172], new float[172], new int[64]));
        assertEquals(true, e.getMessage().contains("[172, 64]"));
    }

    @Test
    void pack_zeroPointZero_isRefusedBecauseV1StoresZerosMinusOne() {
        assertThrows(IllegalArgumentException.class, () -> PackedLinear.pack(4, 32, 32,
                new int[32 * 32], new int[32], new float[32], new int[32]));
    }
}
