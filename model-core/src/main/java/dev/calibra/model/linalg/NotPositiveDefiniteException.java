package dev.calibra.model.linalg;

/**
 * A Cholesky factorization met a non-positive pivot: the matrix is not (numerically) symmetric
 * positive definite. Callers that own the matrix (GPTQ, SparseGPT) catch this and retry with more
 * diagonal dampening.
 */
public final class NotPositiveDefiniteException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    private final int pivotIndex;

    public NotPositiveDefiniteException(int pivotIndex, int order) {
        super("matrix of order " + order + " is not positive definite: pivot " + pivotIndex
                + " (0-based) is not positive");
        this.pivotIndex = pivotIndex;
    }

    /** 0-based index of the first diagonal element whose Schur complement was not positive. */
    public int pivotIndex() {
        return pivotIndex;
    }
}
