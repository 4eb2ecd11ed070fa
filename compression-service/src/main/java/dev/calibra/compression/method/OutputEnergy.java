package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;

/**
 * {@code ||W X||^2} summed from the linear's own outputs {@code X W^T}, which the capture forward computes
 * anyway: the reconstruction error's denominator {@code tr(W H W^T) = 2/n ||W X||^2} without forming the
 * gram {@code W^T W} (at 4096 x 4096 a fifth of GPTQ's compress step, and it grows with the square of the
 * input width). Used only when outputs came for exactly the tokens the Hessian saw; otherwise (a compressor
 * fed inputs alone) the caller forms the gram.
 */
final class OutputEnergy {

    private double sumOfSquares;
    private long tokens;

    /**
     * Adds outputs {@code [tokens, out]} (or any shape ending in out), without the bias: one BLAS dot per call
     * (float32 within a forward chunk of a few million values, then summed in double), the fastest of the
     * routes measured (a Java double loop took 3x, libtorch's norm 1.5x as long).
     */
    void add(NDArray outputs) {
        NDArray flat = outputs.reshape(-1);
        try (NDArray dot = flat.dot(flat)) {
            sumOfSquares += dot.getFloat();
        }
        tokens += outputs.getShape().size() / outputs.getShape().tail();
    }

    /** {@code tr(W H W^T)} for {@code H = 2/n sum X^T X}, or NaN unless outputs came for all the Hessian's tokens. */
    double trace(HessianAccumulator hessian) {
        return tokens > 0 && tokens == hessian.tokens() ? 2.0 / hessian.sequences() * sumOfSquares : Double.NaN;
    }
}
