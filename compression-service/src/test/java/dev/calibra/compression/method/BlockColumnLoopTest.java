package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fusing four columns' updates and running rows in tiles must not change a single bit: same order, same rounding. */
class BlockColumnLoopTest {

    /** A GPTQ-like column step (4-bit grid) on a random block of count columns; returns Q1, W1, Err1 flattened. */
    private static float[][] run(int count, int rows, int fused, long seed) {
        return run(count, rows, fused, seed, false);
    }

    /** With {@code rowByRow}, each row runs the whole loop alone (no row tiles at all). */
    private static float[][] run(int count, int rows, int fused, long seed, boolean rowByRow) {
        Random random = new Random(seed);
        float[][] W1 = new float[count][rows];
        for (float[] column : W1) {
            for (int r = 0; r < rows; r++) {
                column[r] = (float) random.nextGaussian() * 0.02f;
            }
        }
        float[] Hinv1 = new float[count * count];
        for (int i = 0; i < count; i++) {
            for (int j = i; j < count; j++) {
                Hinv1[i * count + j] = i == j ? 0.5f + random.nextFloat() : 0.2f * (float) random.nextGaussian();
            }
        }
        float[][] Q1 = new float[count][rows];
        float[][] Err1 = new float[count][rows];
        int from = 3;                                   // a row range that is not the whole block
        int to = rows - 2;
        BlockColumnLoop.ColumnStep step = (i, rowFrom, rowTo) -> {
            float d = Hinv1[i * count + i];
            for (int r = rowFrom; r < rowTo; r++) {
                float w = W1[i][r];
                float q = Quantizer.quantize(w, 0.004f, 8f, 15);
                Q1[i][r] = q;
                Err1[i][r] = (w - q) / d;
            }
        };
        if (rowByRow) {
            for (int r = from; r < to; r++) {
                BlockColumnLoop.run(r, r + 1, count, W1, Hinv1, Err1, fused, step);
            }
        } else {
            BlockColumnLoop.run(from, to, count, W1, Hinv1, Err1, fused, step);
        }
        return new float[][] {flatten(Q1), flatten(W1), flatten(Err1)};
    }

    private static float[] flatten(float[][] columns) {
        float[] out = new float[columns.length * columns[0].length];
        for (int i = 0; i < columns.length; i++) {
            System.arraycopy(columns[i], 0, out, i * columns[i].length, columns[i].length);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {1, 3, 4, 7, 64, 127, 128})
    void run_fourColumnsFused_isBitIdenticalToOneAtATime(int count) {
        float[][] oneAtATime = run(count, 301, 1, count);
        float[][] fused = run(count, 301, BlockColumnLoop.FUSED, count);
        assertArrayEquals(oneAtATime[0], fused[0], "Q1");
        assertArrayEquals(oneAtATime[1], fused[1], "W1");
        assertArrayEquals(oneAtATime[2], fused[2], "Err1");
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {10, BlockColumnLoop.ROW_TILE + 5, 3 * BlockColumnLoop.ROW_TILE + 7})
    void run_rowTiles_areBitIdenticalToEachRowAlone(int rows) {
        float[][] tiled = run(32, rows, BlockColumnLoop.FUSED, rows);
        float[][] alone = run(32, rows, BlockColumnLoop.FUSED, rows, true);
        assertArrayEquals(alone[0], tiled[0], "Q1");
        assertArrayEquals(alone[1], tiled[1], "W1");
        assertArrayEquals(alone[2], tiled[2], "Err1");
    }
}
