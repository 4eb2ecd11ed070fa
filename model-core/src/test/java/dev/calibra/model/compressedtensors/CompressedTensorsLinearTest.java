package dev.calibra.model.compressedtensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.Dtype;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit layout against compressed-tensors' pack_to_int32 (its docstring example and words computed by hand from
 * its rule: signed level + 2^(b-1), field i at bits [i*b, (i+1)*b)), and dequantization as its dequantize does.
 */
class CompressedTensorsLinearTest {

    @Test
    void pack_matchesPackToInt32() {
        // compressed-tensors' docstring: 8-bit [1, 2] -> 129 + 130 * 256
        assertEquals(33409, CompressedTensorsLinear.pack(8, 1, 2, -1, new int[] {1, 2}, null, new float[] {1}, Dtype.F32, null)
                .packed()[0]);
        assertEquals(0x8FEDCBA9, CompressedTensorsLinear.pack(4, 1, 8, -1, new int[] {1, 2, 3, 4, 5, 6, 7, 0}, null,
                new float[] {1}, Dtype.F32, null).packed()[0]);
        assertEquals(0x01234567, CompressedTensorsLinear.pack(4, 1, 8, -1, new int[] {-1, -2, -3, -4, -5, -6, -7, -8}, null,
                new float[] {1}, Dtype.F32, null).packed()[0]);
        // a row of 9 four-bit levels takes two words, the second padded with offset zeros (level -8 + 8 = 0)
        CompressedTensorsLinear nine = CompressedTensorsLinear.pack(4, 1, 9, -1, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 7}, null,
                new float[] {1}, Dtype.F32, null);
        assertArrayEquals(new int[] {0x88888888, 0xF}, nine.packed());
        assertThrows(IllegalArgumentException.class,
                () -> CompressedTensorsLinear.pack(4, 1, 1, -1, new int[] {8}, null, new float[] {1}, Dtype.F32, null));
    }

    @Test
    void zeroPoints_arePackedDownTheOutputRows() {
        // 9 rows, 2 groups: zero point of row r, group g is r - 4 (group 0) and 3 - r (group 1)
        int out = 9;
        int[] zeros = new int[out * 2];
        for (int r = 0; r < out; r++) {
            zeros[r * 2] = r - 4;
            zeros[r * 2 + 1] = 3 - r;
        }
        CompressedTensorsLinear linear = CompressedTensorsLinear.pack(4, out, 2, 1, new int[out * 2], zeros, new float[out * 2],
                Dtype.F32, null);
        assertArrayEquals(new long[] {2, 2}, linear.zeroPointShape());
        // word [0, 0] holds rows 0..7 of group 0: levels -4..3 + 8 = 4..11
        assertEquals(0xBA987654, linear.zeroPoints()[0]);
        assertEquals(-4 + 8 + 8, linear.zeroPoints()[2] & 0xF, "row 8 of group 0 starts word [1, 0]");
    }

    @Test
    void dequantize_isLevelMinusZeroTimesScale_perGroup_andThroughGIdx() {
        Random random = new Random(7);
        int out = 5;
        int in = 12;
        int groupSize = 4;
        int groups = 3;
        int[] levels = new int[out * in];
        for (int k = 0; k < levels.length; k++) {
            levels[k] = random.nextInt(16) - 8;
        }
        int[] zeros = new int[out * groups];
        float[] scales = new float[out * groups];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = random.nextInt(16) - 8;
            scales[k] = 0.01f + random.nextFloat();
        }
        int[] gIdx = {2, 0, 1, 1, 0, 2, 2, 1, 0, 0, 1, 2};
        for (int[] g : new int[][] {null, gIdx}) {
            float[] weight = CompressedTensorsLinear.pack(4, out, in, groupSize, levels, zeros, scales, Dtype.F32, g).dequantize();
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < in; j++) {
                    int group = g == null ? j / groupSize : g[j];
                    float expected = (levels[o * in + j] - zeros[o * groups + group]) * scales[o * groups + group];
                    assertEquals(expected, weight[o * in + j], "[" + o + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void config_writeThenRead_andRefusals() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        CompressedTensorsConfig written = new CompressedTensorsConfig(4, false, 128, true, List.of("lm_head"));
        written.writeTo(config);
        assertEquals(written, CompressedTensorsConfig.of(config));
        assertEquals("group", config.at("/quantization_config/config_groups/group_0/weights/strategy").asText());
        assertEquals("pack-quantized", config.at("/quantization_config/format").asText());

        ObjectNode threeBit = config.deepCopy();
        ((ObjectNode) threeBit.at("/quantization_config/config_groups/group_0/weights")).put("num_bits", 3);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CompressedTensorsConfig.of(threeBit));
        assertTrue(e.getMessage().contains("group_0.weights.num_bits"), e.getMessage());
        ObjectNode activations = config.deepCopy();
        ((ObjectNode) activations.at("/quantization_config/config_groups/group_0")).putObject("input_activations").put("num_bits", 8);
        e = assertThrows(ModelFormatException.class, () -> CompressedTensorsConfig.of(activations));
        assertTrue(e.getMessage().contains("input_activations: activation quantization is not supported"), e.getMessage());
    }
}
