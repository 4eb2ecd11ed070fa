package dev.calibra.model.gptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GptqBitPackingTest {

    /** AutoGPTQ v1 QuantLinear.pack, line by line (qlinear_cuda_old.py), for one column of 32 * k values. */
    private static int[] autoGptqPack(int[] intweight, int bits) {
        int[] qweight = new int[intweight.length / 32 * bits];
        int i = 0;
        int row = 0;
        while (row < qweight.length) {
            if (bits == 2 || bits == 4 || bits == 8) {
                for (int j = i; j < i + 32 / bits; j++) {
                    qweight[row] |= intweight[j] << (bits * (j - i));
                }
                i += 32 / bits;
                row += 1;
            } else {
                for (int j = i; j < i + 10; j++) {
                    qweight[row] |= intweight[j] << (3 * (j - i));
                }
                i += 10;
                qweight[row] |= intweight[i] << 30;
                row += 1;
                qweight[row] |= (intweight[i] >> 2) & 1;
                i += 1;
                for (int j = i; j < i + 10; j++) {
                    qweight[row] |= intweight[j] << (3 * (j - i) + 1);
                }
                i += 10;
                qweight[row] |= intweight[i] << 31;
                row += 1;
                qweight[row] |= (intweight[i] >> 1) & 0x3;
                i += 1;
                for (int j = i; j < i + 10; j++) {
                    qweight[row] |= intweight[j] << (3 * (j - i) + 2);
                }
                i += 10;
                row += 1;
            }
        }
        return qweight;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void pack_matchesAutoGptqLayout_andUnpacksBack(int bits) {
        Random random = new Random(bits);
        int[] values = new int[96];
        for (int k = 0; k < values.length; k++) {
            values[k] = random.nextInt(1 << bits);
        }
        int[] words = new int[GptqBitPacking.wordCount(values.length, bits)];
        GptqBitPacking.pack(values, 0, 1, values.length, bits, words, 0, 1);
        assertArrayEquals(autoGptqPack(values, bits), words);
        int[] back = new int[values.length];
        GptqBitPacking.unpack(words, 0, 1, values.length, bits, back, 0, 1);
        assertArrayEquals(values, back);
    }

    @Test
    void pack_valueTooWide_isRefused() {
        int[] values = new int[32];
        values[5] = 16;
        assertThrows(IllegalArgumentException.class, () -> GptqBitPacking.pack(values, 0, 1, 32, 4, new int[4], 0, 1));
    }

    @Test
    void wordCount_notMultipleOf32_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> GptqBitPacking.wordCount(172, 4));
    }
}
