package dev.calibra.compression.method;

/**
 * The column loop inside one block that GPTQ and SparseGPT share (the reference's {@code for i in
 * range(count)}): a method's step sets column i's new values and its scaled error {@code Err1[:, i]}, then
 * {@code W1[:, i+1:] -= Err1[:, i] Hinv1[i, i+1:]} spreads that error over the later columns of the block
 * (GPTQ eq. 2, SparseGPT's OBS update). A block is held as one array per column ({@code W1[i][r]}), so the
 * inner loops run over rows, and rows [from, to) evolve independently of the others.
 *
 * <p>The update reaches the columns after a group of {@link #FUSED} columns in one pass: every element
 * still receives {@code w = w - e_i * h_ij} one i after the other in float32, the reference's order and
 * rounding (Java never fuses a multiply-add), but each W1 element is loaded and stored once per four
 * updates instead of once per update. A step that reads later columns (SparseGPT choosing an N:M mask)
 * asks for a group width its reads stay within.
 *
 * <p>Why one array per column: HotSpot 17 vectorizes {@code w[r] -= e[r] * h} over whole arrays indexed by
 * the loop variable alone, but not when each access adds its own offset ({@code W1[j * rows + r]}), which
 * a flat {@code [count * rows]} block needs: the same loop ran about 7x slower that way.
 */
final class BlockColumnLoop {

    /** Columns whose updates travel together. */
    static final int FUSED = 4;

    /**
     * Rows run through the whole column loop together: a tile of a 128-column block (W1, Err1 and the step's
     * output, 128 KB each) stays in the core's L2 cache, where 2048 rows at once did not.
     */
    static final int ROW_TILE = 256;

    /** Column i of the block, rows [from, to): set the column's new values and {@code Err1[i]}. */
    interface ColumnStep {
        void column(int i, int from, int to);
    }

    private BlockColumnLoop() {
    }

    /**
     * Runs {@code step} on columns 0..count-1 with the error updates in between. {@code fused} is
     * {@link #FUSED} or 1; with 4, when the step for column i runs, columns i..i+3 (within the block and the
     * current group of four) hold every update from columns before i, later columns those from before the group.
     */
    static void run(int from, int to, int count, float[][] W1, float[] Hinv1, float[][] Err1, int fused,
            ColumnStep step) {
        for (int tile = from; tile < to; tile += ROW_TILE) {         // rows evolve independently
            runTile(tile, Math.min(tile + ROW_TILE, to), count, W1, Hinv1, Err1, fused, step);
        }
    }

    private static void runTile(int from, int to, int count, float[][] W1, float[] Hinv1, float[][] Err1, int fused,
            ColumnStep step) {
        for (int i0 = 0; i0 < count; i0 += fused) {
            int iEnd = Math.min(i0 + fused, count);
            for (int i = i0; i < iEnd; i++) {
                step.column(i, from, to);
                for (int j = i + 1; j < iEnd; j++) {
                    subtract(W1[j], Err1[i], Hinv1[i * count + j], from, to);
                }
            }
            if (iEnd - i0 == FUSED) {
                subtractFour(W1, Err1, Hinv1, count, i0, from, to);
            } else {
                for (int i = i0; i < iEnd; i++) {              // fused == 1, or the block's last columns
                    for (int j = iEnd; j < count; j++) {
                        subtract(W1[j], Err1[i], Hinv1[i * count + j], from, to);
                    }
                }
            }
        }
    }

    /** {@code w -= e * h} over rows [from, to). */
    private static void subtract(float[] w, float[] e, float h, int from, int to) {
        for (int r = from; r < to; r++) {
            w[r] -= e[r] * h;
        }
    }

    /** {@code W1[j] -= Err1[i0+k] * Hinv1[i0+k, j]} for k = 0..3 in turn, for every j after the group. */
    private static void subtractFour(float[][] W1, float[][] Err1, float[] Hinv1, int count, int i0, int from, int to) {
        float[] e0 = Err1[i0];
        float[] e1 = Err1[i0 + 1];
        float[] e2 = Err1[i0 + 2];
        float[] e3 = Err1[i0 + 3];
        for (int j = i0 + FUSED; j < count; j++) {
            float h0 = Hinv1[i0 * count + j];
            float h1 = Hinv1[(i0 + 1) * count + j];
            float h2 = Hinv1[(i0 + 2) * count + j];
            float h3 = Hinv1[(i0 + 3) * count + j];
            float[] w = W1[j];
            for (int r = from; r < to; r++) {
                w[r] = w[r] - e0[r] * h0 - e1[r] * h1 - e2[r] * h2 - e3[r] * h3;
            }
        }
    }
}
