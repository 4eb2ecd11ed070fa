package dev.calibra.model.linalg;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Pure-Java fallback for {@link Linalg}: double precision throughout (float inputs are widened),
 * dot-product forms so every inner loop runs over contiguous memory, rows spread over {@code threads}
 * workers where they are independent (blocked Cholesky panels, triangular inverse, {@code X^T X}, gemm).
 *
 * <p>About 40x slower than MKL at n = 4096 (seconds instead of a tenth of a second), so it is used only
 * when the LAPACK exported by libtorch cannot be found; tests check both against each other.
 */
public final class JavaLinalg implements Linalg {

    /** Columns per panel of the blocked Cholesky. */
    private static final int PANEL = 64;

    private final int threads;

    public JavaLinalg() {
        this(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
    }

    public JavaLinalg(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    @Override
    public String name() {
        return "java";
    }

    /**
     * Right-looking blocked Cholesky on panels of {@link #PANEL} columns: factor the diagonal block, solve
     * the panel below it, subtract the panel's outer product from the trailing matrix. The last two steps
     * are independent per row and each runs on {@code threads} workers; every inner loop is a contiguous dot.
     */
    @Override
    public void choleskyLower(double[] a, int n) {
        Linalg.requireSquare(a.length, n);
        for (int k0 = 0; k0 < n; k0 += PANEL) {
            int k1 = Math.min(n, k0 + PANEL);
            // diagonal block: L[i][j] = (A[i][j] - sum_{k0<=m<j} L[i][m] L[j][m]) / L[j][j], L[i][i] = sqrt(...)
            for (int i = k0; i < k1; i++) {
                int ri = i * n;
                for (int j = k0; j < i; j++) {
                    a[ri + j] = (a[ri + j] - dot(a, ri + k0, a, j * n + k0, j - k0)) / a[j * n + j];
                }
                double pivot = a[ri + i] - dot(a, ri + k0, a, ri + k0, i - k0);
                if (!(pivot > 0)) {
                    throw new NotPositiveDefiniteException(i, n);
                }
                a[ri + i] = Math.sqrt(pivot);
            }
            final int from = k0;
            final int to = k1;
            // panel: the same forward substitution for the rows below the diagonal block
            forEachRow(k1, n, i -> {
                int ri = i * n;
                for (int j = from; j < to; j++) {
                    a[ri + j] = (a[ri + j] - dot(a, ri + from, a, j * n + from, j - from)) / a[j * n + j];
                }
            });
            // trailing update, once the whole panel is known: A[i][j] -= L[i][from:to] . L[j][from:to], to <= j <= i
            forEachRow(k1, n, i -> {
                int ri = i * n;
                for (int j = to; j <= i; j++) {
                    a[ri + j] -= dot(a, ri + from, a, j * n + from, to - from);
                }
            });
        }
        Triangles.zeroStrictUpper(a, n);
    }

    @Override
    public void choleskyLower(float[] a, int n) {
        double[] wide = widen(a, n);
        choleskyLower(wide, n);
        narrow(wide, a);
    }

    @Override
    public void choleskyInverse(double[] l, int n) {
        Linalg.requireSquare(l.length, n);
        invertLowerInPlace(l, n);                 // X = L^-1
        double[] xt = l.clone();
        Triangles.transposeInPlace(xt, n);        // XT[i][k] = X[k][i], upper
        // (L L^T)^-1 = X^T X:  out[i][j] = sum_{k >= i} XT[i][k] XT[j][k]  for j <= i
        forEachRow(n, i -> {
            int ri = i * n;
            for (int j = 0; j <= i; j++) {
                l[ri + j] = dot(xt, ri + i, xt, j * n + i, n - i);
            }
        });
        Triangles.mirrorLowerToUpper(l, n);
    }

    @Override
    public void choleskyInverse(float[] l, int n) {
        double[] wide = widen(l, n);
        choleskyInverse(wide, n);
        narrow(wide, l);
    }

    /**
     * Shorter route to the same U: with J the reversal permutation and {@code J A J = M M^T},
     * {@code A = R R^T} for the upper {@code R = J M J}, so {@code A^-1 = U^T U} with {@code U = R^-1}.
     * One Cholesky and one triangular inverse instead of Cholesky, inverse and a second Cholesky.
     */
    @Override
    public void upperCholeskyOfInverse(double[] a, int n) {
        Linalg.requireSquare(a.length, n);
        Triangles.reverseBothAxes(a, n);
        try {
            choleskyLower(a, n);
        } catch (NotPositiveDefiniteException e) {
            throw new NotPositiveDefiniteException(n - 1 - e.pivotIndex(), n);
        }
        invertLowerInPlace(a, n);
        Triangles.reverseBothAxes(a, n);
    }

    @Override
    public void upperCholeskyOfInverse(float[] a, int n) {
        double[] wide = widen(a, n);
        upperCholeskyOfInverse(wide, n);
        narrow(wide, a);
    }

    /** Straightforward row-major loops (i, p, j), float products accumulated in float like sgemm. */
    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatBuffer a,
            int aOffset, int lda, FloatBuffer b, int bOffset, int ldb, float beta, FloatBuffer c, int cOffset, int ldc) {
        forEachRow(m, i -> {
            float[] row = new float[n];
            float[] bRow = new float[n];
            c.get(cOffset + i * ldc, row, 0, n);
            for (int j = 0; j < n; j++) {
                row[j] = beta == 0f ? 0f : beta * row[j];
            }
            for (int p = 0; p < k; p++) {
                float aip = alpha * (transposeA ? a.get(aOffset + p * lda + i) : a.get(aOffset + i * lda + p));
                if (transposeB) {
                    for (int j = 0; j < n; j++) {
                        bRow[j] = b.get(bOffset + j * ldb + p);
                    }
                } else {
                    b.get(bOffset + p * ldb, bRow, 0, n);
                }
                for (int j = 0; j < n; j++) {
                    row[j] += aip * bRow[j];
                }
            }
            c.put(cOffset + i * ldc, row, 0, n);
        });
    }

    /** X = L^-1 for lower L: X[i][j] = -(sum_{j<k<=i} X[i][k] L[k][j]) / L[j][j], rows independent. */
    private void invertLowerInPlace(double[] l, int n) {
        double[] lt = l.clone();
        Triangles.transposeInPlace(lt, n);        // LT[j][k] = L[k][j]
        forEachRow(n, i -> {
            int ri = i * n;
            l[ri + i] = 1.0 / lt[i * n + i];
            for (int j = i - 1; j >= 0; j--) {
                int rj = j * n;
                l[ri + j] = -dot(l, ri + j + 1, lt, rj + j + 1, i - j) / lt[rj + j];
            }
        });
    }

    private void forEachRow(int n, java.util.function.IntConsumer body) {
        forEachRow(0, n, body);
    }

    /** Rows [from, to) on {@code threads} workers, interleaved because row costs grow with the index. */
    private void forEachRow(int from, int to, java.util.function.IntConsumer body) {
        if (threads == 1 || to - from < 128) {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
            return;
        }
        IntStream.range(0, threads).parallel().forEach(t -> {
            for (int i = from + t; i < to; i += threads) {
                body.accept(i);
            }
        });
    }

    /** Sum of x[xo + k] * y[yo + k] for k < len, four accumulators. */
    private static double dot(double[] x, int xo, double[] y, int yo, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < len; k += 4) {
            s0 += x[xo + k] * y[yo + k];
            s1 += x[xo + k + 1] * y[yo + k + 1];
            s2 += x[xo + k + 2] * y[yo + k + 2];
            s3 += x[xo + k + 3] * y[yo + k + 3];
        }
        for (; k < len; k++) {
            s0 += x[xo + k] * y[yo + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double[] widen(float[] a, int n) {
        Linalg.requireSquare(a.length, n);
        double[] wide = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            wide[k] = a[k];
        }
        return wide;
    }

    private static void narrow(double[] wide, float[] a) {
        for (int k = 0; k < a.length; k++) {
            a[k] = (float) wide[k];
        }
    }
}
