package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The radix selection must pick exactly what sorting picks, ties, zeros and one-bucket arrays included. */
class SelectionTest {

    private static float[] scores(String kind, int length, Random random) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            float w = (float) random.nextGaussian();
            values[i] = switch (kind) {
                case "squares" -> w * w / 0.37f;                        // SparseGPT-like w^2 / d^2
                case "ties" -> random.nextInt(5);                       // few distinct values, many zeros
                case "one bucket" -> 1f + random.nextInt(1000) * 1e-7f; // every value shares its top bits
                default -> -w;                                          // negative values: the quickselect path
            };
        }
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"squares", "ties", "one bucket", "negative"})
    void kthSmallest_matchesSortedOrder(String kind) {
        Random random = new Random(kind.hashCode());
        int length = Selection.RADIX_FROM * 3 + 17;
        float[] values = scores(kind, length + 10, random);
        float[] sorted = Arrays.copyOfRange(values, 5, 5 + length);
        Arrays.sort(sorted);
        for (int k : new int[] {0, 1, length / 2, (int) (length * 0.7), length - 1}) {
            float[] before = values.clone();
            assertEquals(sorted[k], Selection.kthSmallest(values, 5, length, k, new float[length]), kind + " k=" + k);
            assertEquals(Arrays.toString(before), Arrays.toString(values), "input untouched");
        }
    }
}
