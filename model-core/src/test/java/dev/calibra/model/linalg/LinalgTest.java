package dev.calibra.model.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LinalgTest {

    private static Linalg lapack;
    private static final Linalg JAVA = new JavaLinalg(2);

    @BeforeAll
    static void loadLapack() {
        lapack = Linalgs.best();
    }

    /** H = X X^T / m + 0.1 I for a random X [n, m]: SPD with a realistic spread of eigenvalues. */
    private static double[] spd(int n, long seed) {
        Random random = new Random(seed);
        int m = 2 * n;
        double[] x = new double[n * m];
        for (int k = 0; k < x.length; k++) {
            x[k] = random.nextGaussian();
        }
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += x[i * m + k] * x[j * m + k];
                }
                h[i * n + j] = s / m;
                h[j * n + i] = s / m;
            }
            h[i * n + i] += 0.1;
        }
        return h;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            f[k] = (float) a[k];
        }
        return f;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            d[k] = a[k];
        }
        return d;
    }

    /** max |(A B^T)[i][j] - C[i][j]| for row-major n x n (double accumulation). */
    private static double maxResidualABt(double[] a, double[] b, double[] c, int n) {
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * b[j * n + k];
                }
                worst = Math.max(worst, Math.abs(s - c[i * n + j]));
            }
        }
        return worst;
    }

    private static double maxDiff(double[] a, double[] b) {
        double worst = 0;
        for (int k = 0; k < a.length; k++) {
            worst = Math.max(worst, Math.abs(a[k] - b[k]));
        }
        return worst;
    }

    @Test
    void best_afterDjlLoaded_isLapack() {
        assertEquals("lapack-mkl", lapack.name());
    }

    @Test
    void choleskyLower_bothImplementations_reconstructInputAndAgree() {
        int n = 300;
        double[] h = spd(n, 1);
        for (Linalg linalg : new Linalg[] {JAVA, lapack}) {
            double[] l = h.clone();
            linalg.choleskyLower(l, n);
            assertTrue(maxResidualABt(l, l, h, n) < 1e-12, linalg.name() + " double residual");
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    assertEquals(0.0, l[i * n + j], linalg.name() + " upper triangle must be zero");
                }
            }
            float[] lf = toFloat(h);
            linalg.choleskyLower(lf, n);
            double[] ld = toDouble(lf);
            assertTrue(maxResidualABt(ld, ld, h, n) < 2e-5, linalg.name() + " float residual");
        }
        double[] javaL = h.clone();
        double[] lapackL = h.clone();
        JAVA.choleskyLower(javaL, n);
        lapack.choleskyLower(lapackL, n);
        assertTrue(maxDiff(javaL, lapackL) < 1e-12);
    }

    @Test
    void choleskyInverse_timesInput_isIdentity() {
        int n = 200;
        double[] h = spd(n, 2);
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 1;
        }
        double[] previous = null;
        for (Linalg linalg : new Linalg[] {JAVA, lapack}) {
            double[] inv = h.clone();
            linalg.choleskyLower(inv, n);
            linalg.choleskyInverse(inv, n);
            assertTrue(maxResidualABt(inv, h, identity, n) < 1e-10, linalg.name()); // H symmetric: inv H^T = inv H
            if (previous != null) {
                assertTrue(maxDiff(previous, inv) < 1e-10);
            }
            previous = inv;
        }
    }

    @Test
    void upperCholeskyOfInverse_matchesLiteralThreeStepRoute() {
        int n = 600;                                              // LAPACK's inverse: two strips, the last partial
        double[] h = spd(n, 3);
        // literal route of the reference: cholesky -> cholesky_inverse -> cholesky(upper=True)
        double[] literal = h.clone();
        JAVA.choleskyLower(literal, n);
        JAVA.choleskyInverse(literal, n);
        JAVA.choleskyLower(literal, n);
        Triangles.transposeInPlace(literal, n);
        for (Linalg linalg : new Linalg[] {JAVA, lapack}) {
            double[] u = h.clone();
            linalg.upperCholeskyOfInverse(u, n);
            assertTrue(maxDiff(literal, u) < 1e-11, linalg.name() + " double");
            float[] uf = toFloat(h);
            float[] inPlace = uf.clone();
            linalg.upperCholeskyOfInverse(uf, n);
            linalg.upperCholeskyOfInverseOrUnchanged(inPlace, n);
            assertArrayEquals(uf, inPlace, linalg.name() + " or-unchanged route");
            assertTrue(maxDiff(literal, toDouble(uf)) < 1e-4, linalg.name() + " float");
            for (int i = 1; i < n; i++) {
                assertEquals(0.0, u[i * n], linalg.name() + " strict lower triangle must be zero");
                assertEquals(0f, uf[i * n + i - 1], linalg.name() + " float strict lower triangle must be zero");
            }
        }
    }

    @Test
    void choleskyLower_notPositiveDefinite_namesFailingPivot() {
        int n = 50;
        double[] h = spd(n, 4);
        // make the leading 31 x 31 minor singular-indefinite: row/col 30 := row/col 3, diag decreased
        for (int k = 0; k < n; k++) {
            h[30 * n + k] = h[3 * n + k];
            h[k * n + 30] = h[k * n + 3];
        }
        h[30 * n + 30] = h[3 * n + 3] - 1e-3;
        for (Linalg linalg : new Linalg[] {JAVA, lapack}) {
            NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                    () -> linalg.choleskyLower(h.clone(), n));
            assertEquals(30, e.pivotIndex(), linalg.name());
            assertThrows(NotPositiveDefiniteException.class, () -> linalg.choleskyLower(toFloat(h), n));
            assertThrows(NotPositiveDefiniteException.class, () -> linalg.upperCholeskyOfInverse(h.clone(), n));
            float[] f = toFloat(h);
            float[] before = f.clone();
            assertThrows(NotPositiveDefiniteException.class, () -> linalg.upperCholeskyOfInverseOrUnchanged(f, n));
            assertArrayEquals(before, f, linalg.name() + ": a failed factorization leaves the array as it was");
        }
    }

    @Test
    void choleskyLower_wrongLength_throwsNamingN() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JAVA.choleskyLower(new double[10], 3));
        assertTrue(e.getMessage().startsWith("n:"));
    }

    private static FloatBuffer directRandom(int size, long seed) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Random random = new Random(seed);
        for (int k = 0; k < size; k++) {
            buffer.put(k, (float) random.nextGaussian());
        }
        return buffer;
    }

    private static FloatBuffer copy(FloatBuffer source) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(source.capacity() * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int k = 0; k < source.capacity(); k++) {
            buffer.put(k, source.get(k));
        }
        return buffer;
    }

    @Test
    void gemm_allTransposesWithOffsets_matchesDoubleReference() {
        int m = 37;
        int n = 29;
        int k = 41;
        int ld = 50;                                   // every operand is a sub-block of a 60 x 50 buffer
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                FloatBuffer a = directRandom(60 * ld, 5);
                FloatBuffer b = directRandom(60 * ld, 6);
                FloatBuffer c0 = directRandom(60 * ld, 7);
                int ao = 3 * ld + 2;
                int bo = 1 * ld + 4;
                int co = 5 * ld + 1;
                for (Linalg linalg : new Linalg[] {JAVA, lapack}) {
                    FloatBuffer c = copy(c0);
                    linalg.gemm(ta, tb, m, n, k, -0.5f, a, ao, ld, b, bo, ld, 2f, c, co, ld);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                double aip = ta ? a.get(ao + p * ld + i) : a.get(ao + i * ld + p);
                                double bpj = tb ? b.get(bo + j * ld + p) : b.get(bo + p * ld + j);
                                s += aip * bpj;
                            }
                            double expected = -0.5 * s + 2 * c0.get(co + i * ld + j);
                            assertEquals(expected, c.get(co + i * ld + j), 1e-4, linalg.name() + " ta=" + ta + " tb=" + tb);
                        }
                    }
                    assertEquals(c0.get(co - 1), c.get(co - 1), linalg.name() + " must not touch outside C");
                }
            }
        }
    }

    @Test
    void gramAccumulateLower_addsLowerTriangleOfAtA() {
        int k = 70;
        int n = 600;                                   // several 256-column blocks
        FloatBuffer a = directRandom(k * n, 8);
        FloatBuffer c = directRandom(n * n, 9);
        FloatBuffer before = copy(c);
        lapack.gramAccumulateLower(a, k, n, c);
        for (int i = 0; i < n; i += 7) {
            for (int j = 0; j <= i; j += 3) {
                double s = before.get(i * n + j);
                for (int p = 0; p < k; p++) {
                    s += (double) a.get(p * n + i) * a.get(p * n + j);
                }
                assertEquals(s, c.get(i * n + j), 1e-3, "C[" + i + "][" + j + "]");
            }
        }
    }
}
