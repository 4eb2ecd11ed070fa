package dev.calibra.model.linalg;

import java.nio.FloatBuffer;

/**
 * The dense symmetric-positive-definite kernels GPTQ and SparseGPT need, on square row-major
 * {@code n x n} arrays that are overwritten in place.
 *
 * <p>Conventions (row-major, as a Java reader sees the array):
 * <ul>
 *   <li>{@link #choleskyLower}: {@code A = L L^T}, L lower triangular, the strict upper triangle set to 0
 *       ({@code torch.linalg.cholesky(A)}).</li>
 *   <li>{@link #choleskyInverse}: from such an L, the full symmetric {@code A^-1}
 *       ({@code torch.cholesky_inverse(L)}).</li>
 *   <li>{@link #upperCholeskyOfInverse}: the upper triangular U with {@code A^-1 = U^T U}, i.e.
 *       {@code torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(A)), upper=True)},
 *       the "Hinv" of the GPTQ paper (Frantar et al. 2022, Sec. 3, Step 3).</li>
 * </ul>
 * All methods throw {@link NotPositiveDefiniteException} naming the failing pivot.
 */
public interface Linalg {

    /** Short name for logs and benchmark tables, e.g. "lapack-mkl" or "java". */
    String name();

    void choleskyLower(double[] a, int n);

    void choleskyLower(float[] a, int n);

    /** Overwrites the lower Cholesky factor {@code l} with {@code (L L^T)^-1}, both triangles filled. */
    void choleskyInverse(double[] l, int n);

    void choleskyInverse(float[] l, int n);

    /**
     * Overwrites {@code a} with the upper triangular U, positive diagonal, such that {@code a^-1 = U^T U}.
     *
     * <p>Implementations may use any stable route; U is unique, so all routes agree up to rounding. The
     * default is the literal three-step route of the reference implementations.
     */
    default void upperCholeskyOfInverse(float[] a, int n) {
        choleskyLower(a, n);
        choleskyInverse(a, n);
        choleskyLower(a, n);
        Triangles.transposeInPlace(a, n);
    }

    /**
     * {@link #upperCholeskyOfInverse(float[], int)} that leaves {@code a} as it was when it throws, so a caller
     * can retry with more dampening without keeping a copy. The default works on a copy.
     */
    default void upperCholeskyOfInverseOrUnchanged(float[] a, int n) {
        float[] work = a.clone();
        upperCholeskyOfInverse(work, n);
        System.arraycopy(work, 0, a, 0, a.length);
    }

    default void upperCholeskyOfInverse(double[] a, int n) {
        choleskyLower(a, n);
        choleskyInverse(a, n);
        choleskyLower(a, n);
        Triangles.transposeInPlace(a, n);
    }

    /**
     * Row-major {@code C = alpha op(A) op(B) + beta C} (BLAS sgemm) on direct, native-order float
     * buffers, where {@code op(X)} is X or its transpose, op(A) is {@code m x k}, op(B) {@code k x n}, C
     * {@code m x n}; offsets count floats from index 0 of each buffer, {@code ld*} are row strides.
     * Used for the large in-place updates of GPTQ/SparseGPT, which DJL cannot express without copies.
     */
    void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatBuffer a, int aOffset,
            int lda, FloatBuffer b, int bOffset, int ldb, float beta, FloatBuffer c, int cOffset, int ldc);

    /**
     * {@code C += A^T A} for row-major {@code A [k, n]} into the LOWER triangle (diagonal included) of the
     * row-major {@code n x n} C, in column blocks so only the lower block triangle is multiplied (for
     * n = 4096 about 53% of a full gemm's flops; BLAS ssyrk in effect, which libtorch does not export).
     * The strict upper triangle of C is left stale: read C through {@link #mirrorLowerToUpper}.
     */
    default void gramAccumulateLower(FloatBuffer a, int k, int n, FloatBuffer c) {
        int block = 256;          // measured at n = 4096: 256 and 512 equally fast, one full gemm 1.9x slower
        for (int j0 = 0; j0 < n; j0 += block) {
            int jw = Math.min(block, n - j0);
            // C[j0:, j0:j0+jw] += A[:, j0:]^T A[:, j0:j0+jw]
            gemm(true, false, n - j0, jw, k, 1f, a, j0, n, a, j0, n, 1f, c, j0 * n + j0, n);
        }
    }

    /** Copies the lower triangle of a row-major n x n matrix onto its upper triangle. */
    static void mirrorLowerToUpper(float[] a, int n) {
        Triangles.mirrorLowerToUpper(a, n);
    }

    static void requireSquare(int length, int n) {
        if (n < 0 || (long) n * n != length) {
            throw new IllegalArgumentException("n: array of length " + length + " is not " + n + " x " + n);
        }
    }
}
