package dev.calibra.compression.method;

import dev.calibra.model.linalg.Linalg;

/**
 * The weight W {@code [rows, columns]} during a GPTQ/SparseGPT pass, in native memory that Java reads
 * block by block and MKL updates in place: the lazy batch update
 * {@code W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]} is one sgemm with beta = 1, no temporary.
 */
final class NativeWeight implements AutoCloseable {

    /** Rows per tile when transposing a column block, so both sides are touched in contiguous runs. */
    private static final int TILE_ROWS = 64;

    final int rows;
    final int columns;
    private final NativeFloats W;
    private final NativeFloats Hinv;
    private final NativeFloats Err1;
    private final Linalg linalg;

    NativeWeight(float[] weight, int rows, int columns, float[] Hinv, int blockSize, Linalg linalg) {
        this.rows = rows;
        this.columns = columns;
        this.W = NativeFloats.of(weight);
        this.Hinv = NativeFloats.of(Hinv);
        this.Err1 = new NativeFloats((long) rows * Math.min(blockSize, columns));
        this.linalg = linalg;
    }

    /** Copies {@code W[:, from:to]} into {@code out} as row-major {@code [rows, to - from]}. */
    void readColumns(int from, int to, float[] out) {
        int width = to - from;
        for (int r = 0; r < rows; r++) {
            W.buffer.get(r * columns + from, out, r * width, width);
        }
    }

    /** Copies {@code W[:, from:to]} transposed into {@code outT} {@code [to - from, rows]}: column j is a row. */
    void readColumnsTransposed(int from, int to, float[] outT) {
        int width = to - from;
        float[] tile = new float[TILE_ROWS * width];
        for (int r0 = 0; r0 < rows; r0 += TILE_ROWS) {
            int tileRows = Math.min(TILE_ROWS, rows - r0);
            for (int t = 0; t < tileRows; t++) {
                W.buffer.get((r0 + t) * columns + from, tile, t * width, width);
            }
            for (int j = 0; j < width; j++) {
                int out = j * rows + r0;
                for (int t = 0; t < tileRows; t++) {
                    outT[out + t] = tile[t * width + j];
                }
            }
        }
    }

    /** Writes the transposed block {@code inT [to - from, rows]} into {@code W[:, from:to]}. */
    void writeColumnsTransposed(int from, int to, float[] inT) {
        int width = to - from;
        float[] tile = new float[TILE_ROWS * width];
        for (int r0 = 0; r0 < rows; r0 += TILE_ROWS) {
            int tileRows = Math.min(TILE_ROWS, rows - r0);
            for (int j = 0; j < width; j++) {
                int in = j * rows + r0;
                for (int t = 0; t < tileRows; t++) {
                    tile[t * width + j] = inT[in + t];
                }
            }
            for (int t = 0; t < tileRows; t++) {
                W.buffer.put((r0 + t) * columns + from, tile, t * width, width);
            }
        }
    }

    /** {@code W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]}, given {@code Err1} transposed, {@code [i2 - i1, rows]}. */
    void lazyBatchUpdate(float[] Err1t, int i1, int i2) {
        if (i2 >= columns) {
            return;
        }
        int count = i2 - i1;
        Err1.buffer.put(0, Err1t, 0, rows * count);
        linalg.gemm(true, false, rows, columns - i2, count, -1f, Err1.buffer, 0, rows,
                Hinv.buffer, i1 * columns + i2, columns, 1f, W.buffer, i2, columns);
    }

    float[] toArray() {
        float[] out = new float[rows * columns];
        W.buffer.get(0, out);
        return out;
    }

    @Override
    public void close() {
        W.close();
        Hinv.close();
        Err1.close();
    }
}
