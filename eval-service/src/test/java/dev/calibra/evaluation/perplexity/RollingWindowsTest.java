package dev.calibra.evaluation.perplexity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.model.scoring.LogLikelihoodRequest;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** lm-eval's tests/test_utils.py test_get_rolling_token_windows_v1 case, after make_disjoint_window. */
class RollingWindowsTest {

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Test
    void thirtyFourTokensWindowTen_everyTokenPredictedOnce_lmEvalGold() {
        List<LogLikelihoodRequest> windows = RollingWindows.of(range(0, 34), -100, 10);
        assertEquals(4, windows.size());
        assertArrayEquals(new int[] {-100}, windows.get(0).context());
        assertArrayEquals(range(0, 10), windows.get(0).continuation());
        assertArrayEquals(new int[] {9}, windows.get(1).context());
        assertArrayEquals(range(10, 20), windows.get(1).continuation());
        assertArrayEquals(new int[] {19}, windows.get(2).context());
        assertArrayEquals(range(20, 30), windows.get(2).continuation());
        // the last window conditions on as much as fits: model input [23..32], predicting 30..33
        assertArrayEquals(range(23, 30), windows.get(3).context());
        assertArrayEquals(range(30, 34), windows.get(3).continuation());
    }

    @Test
    void shorterThanWindow_oneWindowAfterPrefix() {
        List<LogLikelihoodRequest> windows = RollingWindows.of(range(5, 8), 1, 10);
        assertEquals(1, windows.size());
        assertArrayEquals(new int[] {1}, windows.get(0).context());
        assertArrayEquals(range(5, 8), windows.get(0).continuation());
        assertEquals(0, RollingWindows.of(new int[0], 1, 10).size());
    }
}
