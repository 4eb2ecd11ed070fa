package dev.calibra.compression.method;

/** The layer Hessian stayed non-positive-definite after every dampening retry. */
public final class HessianNotPositiveDefiniteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    HessianNotPositiveDefiniteException(double lastDampening, int attempts, Throwable cause) {
        super("Hessian is not positive definite even with dampening " + lastDampening + " x mean(diag H) after "
                + attempts + " attempts; the calibration inputs are probably degenerate", cause);
    }
}
