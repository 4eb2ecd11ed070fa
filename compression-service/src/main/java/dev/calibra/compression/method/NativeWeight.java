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

    /** Copies {@code W[:, from:to]} into one array per column: {@code out[j][r] = W[r, from + j]}. */
    void readColumnsTransposed(int from, int to, float[][] out) {
        int width = to - from;
        RowParallel.forEachRowRange(rows, (rowFrom, rowTo) -> {
            float[] tile = new float[TILE_ROWS * width];
            for (int r0 = rowFrom; r0 < rowTo; r0 += TILE_ROWS) {
                int tileRows = Math.min(TILE_ROWS, rowTo - r0);
                for (int t = 0; t < tileRows; t++) {
                    W.buffer.get((r0 + t) * columns + from, tile, t * width, width);
                }
                for (int j = 0; j < width; j++) {
                    float[] column = out[j];
                    for (int t = 0; t < tileRows; t++) {
                        column[r0 + t] = tile[t * width + j];
                    }
                }
            }
        });
    }

    /** Writes one array per column, {@code in[j][r]}, into {@code W[:, from:to]}. */
    void writeColumnsTransposed(int from, int to, float[][] in) {
        int width = to - from;
        RowParallel.forEachRowRange(rows, (rowFrom, rowTo) -> {
            float[] tile = new float[TILE_ROWS * width];
            for (int r0 = rowFrom; r0 < rowTo; r0 += TILE_ROWS) {
                int tileRows = Math.min(TILE_ROWS, rowTo - r0);
                for (int j = 0; j < width; j++) {
                    float[] column = in[j];
                    for (int t = 0; t < tileRows; t++) {
                        tile[t * width + j] = column[r0 + t];
                    }
                }
                for (int t = 0; t < tileRows; t++) {
                    W.buffer.put((r0 + t) * columns + from, tile, t * width, width);
                }
            }
        });
    }

    /** {@code W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]}, given {@code Err1} as one array per column. */
    void lazyBatchUpdate(float[][] Err1, int i1, int i2) {
        if (i2 >= columns) {
            return;
        }
        int count = i2 - i1;
        for (int i = 0; i < count; i++) {
            this.Err1.buffer.put(i * rows, Err1[i], 0, rows);
        }
        linalg.gemm(true, false, rows, columns - i2, count, -1f, this.Err1.buffer, 0, rows,
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
