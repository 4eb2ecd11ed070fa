package dev.calibra.compression.method;

/** Index bookkeeping on row-major float matrices shared by the methods. */
final class LayerShapes {

    private LayerShapes() {
    }

    static void require(float[] weight, int rows, int columns, HessianAccumulator hessian) {
        requireWeight(weight, rows, columns);
        hessian.requireBatches();
        if (hessian.columns() != columns) {
            throw new IllegalArgumentException("columns: weight has " + columns + " input columns but the inputs have "
                    + hessian.columns());
        }
    }

    static void requireWeight(float[] weight, int rows, int columns) {
        if (rows < 1 || columns < 1 || weight == null || (long) rows * columns != weight.length) {
            throw new IllegalArgumentException("weight: expected " + rows + " x " + columns + " floats, got "
                    + (weight == null ? "null" : weight.length));
        }
    }

    static void zeroColumns(float[] W, int rows, int columns, boolean[] dead) {
        for (int j = 0; j < columns; j++) {
            if (dead[j]) {
                for (int r = 0; r < rows; r++) {
                    W[r * columns + j] = 0f;
                }
            }
        }
    }

    /** {@code W[:, perm]}. */
    static float[] permuteColumns(float[] W, int rows, int columns, int[] perm) {
        float[] out = new float[W.length];
        for (int r = 0; r < rows; r++) {
            int base = r * columns;
            for (int j = 0; j < columns; j++) {
                out[base + j] = W[base + perm[j]];
            }
        }
        return out;
    }

    /** {@code H[perm][:, perm]}. */
    static float[] permuteSymmetric(float[] H, int n, int[] perm) {
        float[] out = new float[H.length];
        for (int i = 0; i < n; i++) {
            int source = perm[i] * n;
            for (int j = 0; j < n; j++) {
                out[i * n + j] = H[source + perm[j]];
            }
        }
        return out;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            inv[perm[k]] = k;
        }
        return inv;
    }

    /** The square sub-block {@code A[i1:i2, i1:i2]} of an n x n matrix. */
    static float[] square(float[] A, int n, int i1, int i2) {
        int count = i2 - i1;
        float[] out = new float[count * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(A, (i1 + i) * n + i1, out, i * count, count);
        }
        return out;
    }

    /** Writes the block's columns {@code block[j]} ({@code [rows]} each) into columns [i1, i2) of the row-major {@code W}. */
    static void writeColumns(float[] W, int rows, int columns, int i1, int i2, float[][] block) {
        int width = i2 - i1;
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r0 = from; r0 < to; r0 += 64) {
                int r1 = Math.min(to, r0 + 64);
                for (int j = 0; j < width; j++) {
                    float[] column = block[j];
                    for (int r = r0; r < r1; r++) {
                        W[r * columns + i1 + j] = column[r];
                    }
                }
            }
        });
    }
}
