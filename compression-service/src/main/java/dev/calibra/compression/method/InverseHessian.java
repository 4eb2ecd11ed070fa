package dev.calibra.compression.method;

import dev.calibra.model.linalg.Linalg;
import dev.calibra.model.linalg.NotPositiveDefiniteException;

/**
 * The Hessian preparation GPTQ and SparseGPT share: dead inputs, dampening and
 * {@code Hinv = cholesky(cholesky_inverse(cholesky(H + lambda I)), upper=True)}.
 */
final class InverseHessian {

    /** Retries with 10x, 100x, 1000x the dampening before giving up. */
    static final int DAMPENING_RETRIES = 3;

    private InverseHessian() {
    }

    /**
     * Inputs that were always zero have {@code H[i][i] == 0}: set that diagonal to 1 (the reference's
     * {@code H[dead, dead] = 1}) and return the mask so the caller zeroes {@code W[:, dead]}.
     */
    static boolean[] markDeadColumns(float[] H, int columns) {
        boolean[] dead = new boolean[columns];
        for (int i = 0; i < columns; i++) {
            if (H[i * columns + i] == 0f) {
                dead[i] = true;
                H[i * columns + i] = 1f;
            }
        }
        return dead;
    }

    /**
     * The upper Cholesky factor U of {@code (H + lambda I)^-1} ({@code U^T U = (H + lambda I)^-1}) and the
     * lambda that made {@code H + lambda I} positive definite.
     */
    record Damped(float[] Hinv, float lambda) {
    }

    /**
     * Upper Cholesky factor of {@code (H + lambda I)^-1} with {@code lambda = dampening * mean(diag H)}, written
     * over {@code H} (callers are done with H); if that is not positive definite, retries with 10x the dampening
     * up to {@link #DAMPENING_RETRIES} times, from H as it was ({@link Linalg#upperCholeskyOfInverseOrUnchanged}).
     */
    static Damped upperCholeskyOfDampedInverse(float[] H, int columns, double dampening, Linalg linalg) {
        float[] diagonal = new float[columns];
        double diagonalSum = 0;
        for (int i = 0; i < columns; i++) {
            diagonal[i] = H[i * columns + i];
            diagonalSum += diagonal[i];
        }
        float meanDiagonal = (float) (diagonalSum / columns);
        double percent = dampening;
        NotPositiveDefiniteException last = null;
        for (int attempt = 0; attempt <= DAMPENING_RETRIES; attempt++, percent *= 10) {
            float damp = (float) percent * meanDiagonal;
            for (int i = 0; i < columns; i++) {
                H[i * columns + i] = diagonal[i] + damp;         // H[diag, diag] += damp
            }
            try {
                linalg.upperCholeskyOfInverseOrUnchanged(H, columns);
                return new Damped(H, damp);
            } catch (NotPositiveDefiniteException e) {
                last = e;
            }
        }
        throw new HessianNotPositiveDefiniteException(percent / 10, DAMPENING_RETRIES + 1, last);
    }
}
