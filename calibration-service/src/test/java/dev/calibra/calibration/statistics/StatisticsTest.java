package dev.calibra.calibration.statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.calibration.sampling.Sample;
import dev.calibra.proto.v1.CalibrationStatistics;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    @Test
    void fingerprint_isSha256OfInt32LittleEndianRowMajor() {
        // Python: hashlib.sha256(struct.pack('<4i', 1, 2, 3, -1)).hexdigest()
        assertEquals("9f4b4e89af4660781651baede3c19ef0b853c51c71c2b53dca1348e66e5a1b76",
                Fingerprint.of(List.of(new int[] {1, 2}, new int[] {3, -1})));
    }

    @Test
    void statistics_entropySharesAndDuplicates_matchHandComputedValues() {
        List<Sample> rows = List.of(new Sample(new int[] {0, 1, 2, 3}, "cor-a", 0, 0),
                new Sample(new int[] {0, 1, 2, 3}, "cor-a", 1, 0),
                new Sample(new int[] {4, 5, 6, 7}, "", -1, 0),
                new Sample(new int[] {4, 5, 6, 7}, "cor-b", 2, 0));
        CalibrationStatistics statistics = SetStatistics.of(rows, ids -> "", EvaluationTexts.none()).build();
        assertEquals(8, statistics.getDistinctTokens());
        assertEquals(3.0, statistics.getTokenEntropyBits(), 1e-12);  // 8 equally frequent ids
        assertEquals(2, statistics.getDuplicateSamples());
        assertEquals(0.5, statistics.getSourceShareOrThrow("cor-a"), 1e-12);
        assertEquals(0.25, statistics.getSourceShareOrThrow(SetStatistics.NO_CORPUS), 1e-12);
        assertEquals(0.0, statistics.getContamination13Gram());
    }

    @Test
    void entropy_twoIdsInRatio3To1_is0point811Bits() {
        List<Sample> rows = List.of(new Sample(new int[] {7, 7, 7, 9}, "", -1, 0));
        // -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.8112781244591328
        assertEquals(0.8112781244591328, SetStatistics.of(rows, ids -> "", EvaluationTexts.none()).build()
                .getTokenEntropyBits(), 1e-12);
    }

    @Test
    void wordNgrams_ignoreCaseAndPunctuation() {
        long[] first = {0};
        long[] second = {0};
        WordNgrams.forEach("One two three four five six seven eight nine ten eleven twelve thirteen", h -> first[0] = h);
        WordNgrams.forEach("one, TWO three -- four five six seven eight nine ten eleven twelve thirteen!", h -> second[0] = h);
        assertEquals(first[0], second[0]);
        int[] count = {0};
        WordNgrams.forEach("only twelve words here so there is no thirteen gram at all", h -> count[0]++);
        assertEquals(0, count[0]);
    }

    @Test
    void anomalies_flagRepetitionAndExtremePerplexity() {
        int[] normal = java.util.stream.IntStream.range(0, 64).toArray();
        int[] repeated = new int[64];
        for (int i = 0; i < repeated.length; i++) {
            repeated[i] = i % 3;
        }
        List<int[]> rows = List.of(normal, normal, normal, normal, normal, repeated, normal);
        double[] perplexities = {5.0, 5.5, 4.5, 5.2, 4.8, 5.1, 900.0};
        String[] reasons = Anomalies.flag(rows, perplexities);
        assertEquals("", reasons[0]);
        assertTrue(reasons[5].startsWith("heavy repetition"), reasons[5]);
        assertTrue(reasons[6].startsWith("extreme perplexity 900.0"), reasons[6]);
    }
}
