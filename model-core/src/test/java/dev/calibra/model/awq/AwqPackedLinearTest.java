package dev.calibra.model.awq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.HalfFloats;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AwqPackedLinearTest {

    /**
     * AutoAWQ's WQLinear_GEMM.from_linear packs outputs 8c + [0, 2, 4, 6, 1, 3, 5, 7] into nibbles 0..7 of word c:
     * with code = output index, word 0 reads 0x75316420.
     */
    @Test
    void pack_interleavesOutputsAsAutoAwqDoes() {
        int out = 16;
        int in = 2;
        byte[] codes = new byte[out * in];
        for (int o = 0; o < out; o++) {
            codes[o * in] = (byte) (o % 8);
            codes[o * in + 1] = (byte) (15 - o % 8);
        }
        float[] zeros = new float[out];
        float[] scales = new float[out];
        java.util.Arrays.fill(scales, 0.5f);
        AwqPackedLinear packed = AwqPackedLinear.pack(out, in, 2, codes, zeros, scales);
        assertEquals(0x75316420, packed.qweight()[0]);                 // input 0, outputs 0..7
        assertEquals(0x75316420, packed.qweight()[1]);                 // input 0, outputs 8..15
        assertEquals(0x8ACE9BDF, packed.qweight()[2]);                 // input 1: 15 - code
        assertEquals(2 * out / 8, packed.qweight().length);
    }

    @Test
    void packAndDequantize_roundTripCodesZerosAndFloat16Scales() {
        Random random = new Random(3);
        int out = 24;
        int in = 64;
        int groupSize = 16;
        int groups = in / groupSize;
        byte[] codes = new byte[out * in];
        for (int k = 0; k < codes.length; k++) {
            codes[k] = (byte) random.nextInt(16);
        }
        float[] zeros = new float[out * groups];
        float[] scales = new float[out * groups];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = random.nextInt(16);
            scales[k] = (float) (0.001 + random.nextDouble() * 0.05);
        }
        AwqPackedLinear packed = AwqPackedLinear.pack(out, in, groupSize, codes, zeros, scales);
        assertArrayEquals(new long[] {in, out / 8}, packed.qweightShape());
        assertArrayEquals(new long[] {groups, out / 8}, packed.qzerosShape());
        assertArrayEquals(new long[] {groups, out}, packed.scalesShape());
        int[] unpacked = packed.codes();
        int[] unpackedZeros = packed.zeros();
        float[] weight = packed.dequantize();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                assertEquals(codes[o * in + i], unpacked[o * in + i]);
                int g = i / groupSize;
                assertEquals((int) zeros[o * groups + g], unpackedZeros[g * out + o]);
                float scale = HalfFloats.f16ToFloat(HalfFloats.floatToF16(scales[o * groups + g]));
                assertEquals((codes[o * in + i] - zeros[o * groups + g]) * scale, weight[o * in + i]);
            }
        }
    }

    @Test
    void shapesTheGemmLayoutCannotHold_areRefusedNamingTheReason() {
        assertTrue(AwqPackedLinear.whyNotPackable(64, 172, 128).contains("group_size 128 does not divide the 172 input columns"));
        assertTrue(AwqPackedLinear.whyNotPackable(172, 64, 32).contains("172 output rows are not a multiple of 8"));
        assertTrue(AwqPackedLinear.whyNotPackable(64, 64, -1).contains("group_size > 0"));
        assertNull(AwqPackedLinear.whyNotPackable(64, 64, 32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AwqPackedLinear.pack(8, 2, 2, new byte[] {16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                        new float[8], new float[8]));
        assertTrue(e.getMessage().contains("code 16 does not fit in 4 bits"), e.getMessage());
    }

    @Test
    void config_writesTransformersAwqConfig_andRefusesOtherVariantsByField() throws ModelFormatException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        new AwqConfig(32, List.of("mlp.down_proj")).writeTo(config);
        assertEquals("{\"quant_method\":\"awq\",\"bits\":4,\"group_size\":32,\"zero_point\":true,\"version\":\"gemm\","
                + "\"modules_to_not_convert\":[\"mlp.down_proj\"]}", config.get("quantization_config").toString());
        assertEquals(new AwqConfig(32, List.of("mlp.down_proj")), AwqConfig.of(config));

        ((ObjectNode) config.get("quantization_config")).put("version", "gemv");
        assertTrue(assertThrows(ModelFormatException.class, () -> AwqConfig.of(config)).getMessage().contains("version 'gemv'"));
        ((ObjectNode) config.get("quantization_config")).put("version", "gemm").put("bits", 3);
        assertTrue(assertThrows(ModelFormatException.class, () -> AwqConfig.of(config)).getMessage().contains("bits is 3"));
        ((ObjectNode) config.get("quantization_config")).put("bits", 4).put("zero_point", false);
        assertTrue(assertThrows(ModelFormatException.class, () -> AwqConfig.of(config)).getMessage().contains("zero_point false"));
        ((ObjectNode) config.get("quantization_config")).put("quant_method", "gptq");
        assertNull(AwqConfig.of(config));
    }
}
