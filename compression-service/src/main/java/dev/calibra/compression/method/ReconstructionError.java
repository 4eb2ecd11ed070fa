package dev.calibra.compression.method;

import dev.calibra.model.linalg.Linalg;

import java.util.concurrent.atomic.DoubleAdder;

/**
 * {@code ||W X - W' X||^2 / ||W X||^2 = tr(D H D^T) / tr(W H W^T)} with {@code D = W - W'} and the
 * accumulated {@code H = 2/n X X^T} (see {@link CompressedLayer#relativeReconstructionError()}).
 *
 * <p>Each trace is the Frobenius product {@code tr(A H A^T) = <H, A^T A>}; {@code A^T A} is symmetric, so
 * only its lower triangle is formed ({@link Linalg#gramAccumulateLower}, about 53% of a full sgemm at
 * 4096 columns) and the product is summed over the lower triangle with the off-diagonal counted twice.
 *
 * <p>GPTQ and SparseGPT need only the signal's gram: their pass ends with {@code D = Err U}, Err the scaled
 * errors {@code (w - q) / U_ii} of every column and U the upper Cholesky factor of {@code (H + lambda I)^-1},
 * so {@code tr(D (H + lambda I) D^T) = ||Err||^2} and {@code tr(D H D^T) = ||Err||^2 - lambda ||D||^2}
 * (the total OBS loss the reference reports, less the dampening's share). Exact in exact arithmetic;
 * MethodBehaviourTest holds it to the direct {@code ||W X - W' X||^2} in double.
 */
final class ReconstructionError {

    private ReconstructionError() {
    }

    /**
     * {@code tr(W H W^T)}, the error's denominator: from the linear's outputs when they came with the inputs,
     * else from a gram of W. Call before H is factored in place.
     */
    static double signal(OutputEnergy outputs, HessianAccumulator hessian, float[] W, int rows, int columns,
            float[] H, Linalg linalg) {
        double fromOutputs = outputs.trace(hessian);
        if (!Double.isNaN(fromOutputs)) {
            return fromOutputs;
        }
        try (NativeFloats A = NativeFloats.of(W); NativeFloats gram = new NativeFloats((long) columns * columns)) {
            return gramProduct(A, rows, columns, H, gram, linalg);                // <H, W^T W>
        }
    }

    static double relative(float[] original, float[] compressed, int rows, int columns, float[] H, Linalg linalg) {
        double signal;
        double error;
        try (NativeFloats A = NativeFloats.of(original); NativeFloats gram = new NativeFloats((long) columns * columns)) {
            signal = gramProduct(A, rows, columns, H, gram, linalg);             // <H, W^T W>
            writeDifference(original, compressed, rows, columns, A);             // A = D = W - W'
            gram.clear();
            error = gramProduct(A, rows, columns, H, gram, linalg);              // <H, D^T D>
        }
        return signal == 0 ? (error == 0 ? 0 : Double.POSITIVE_INFINITY) : error / signal;
    }

    /** {@code <H, A^T A>} = {@code tr(A H A^T)}, the gram accumulated into {@code gram} (zero on entry). */
    private static double gramProduct(NativeFloats A, int rows, int columns, float[] H, NativeFloats gram,
            Linalg linalg) {
        linalg.gramAccumulateLower(A.buffer, rows, columns, gram.buffer);
        return lowerFrobeniusProduct(H, gram, columns);
    }

    /**
     * The ratio from a GPTQ/SparseGPT pass: {@code signal = tr(W H W^T)} ({@link NativeWeight#trace}; the
     * pass's own W and H serve: zeroed dead columns and a permutation change no trace), {@code errorEnergy =
     * ||Err||^2}, {@code lambda} the dampening of the factor used, {@code differenceEnergy = ||W - W'||^2}
     * over the weights the pass started from.
     */
    static double relativeFromObsErrors(double signal, double errorEnergy, double lambda, double differenceEnergy) {
        double error = Math.max(0, errorEnergy - lambda * differenceEnergy);
        return signal == 0 ? (error == 0 ? 0 : Double.POSITIVE_INFINITY) : error / signal;
    }

    /** {@code sum of a[i][k]^2} in double. */
    static double energy(float[][] a) {
        double total = 0;
        for (float[] column : a) {
            for (float v : column) {
                total += (double) v * v;
            }
        }
        return total;
    }

    /** {@code ||a - b||^2} in double. */
    static double differenceEnergy(float[] a, float[] b) {
        double total = 0;
        for (int k = 0; k < a.length; k++) {
            double d = (double) a[k] - b[k];
            total += d * d;
        }
        return total;
    }

    /** {@code D = W - W'} into the native buffer, one row at a time (no second Java-side copy of the layer). */
    private static void writeDifference(float[] original, float[] compressed, int rows, int columns, NativeFloats D) {
        RowParallel.forEachRowRange(rows, (from, to) -> {
            float[] row = new float[columns];
            for (int r = from; r < to; r++) {
                int base = r * columns;
                for (int j = 0; j < columns; j++) {
                    row[j] = original[base + j] - compressed[base + j];
                }
                D.buffer.put(base, row, 0, columns);
            }
        });
    }

    /** {@code <H, G>} for symmetric H (full) and G (lower triangle valid). */
    static double lowerFrobeniusProduct(float[] H, NativeFloats G, int n) {
        DoubleAdder total = new DoubleAdder();
        RowParallel.forEachRowRange(n, (from, to) -> {
            float[] g = new float[n];
            double part = 0;
            for (int i = from; i < to; i++) {
                G.buffer.get(i * n, g, 0, i + 1);
                part += 2 * dot(H, i * n, g, i) + (double) H[i * n + i] * g[i];
            }
            total.add(part);
        });
        return total.sum();
    }

    /** Sum of h[offset + j] * g[j] for j < length, four float accumulators. */
    private static double dot(float[] h, int offset, float[] g, int length) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < length; j += 4) {
            s0 += h[offset + j] * g[j];
            s1 += h[offset + j + 1] * g[j + 1];
            s2 += h[offset + j + 2] * g[j + 2];
            s3 += h[offset + j + 3] * g[j + 3];
        }
        for (; j < length; j++) {
            s0 += h[offset + j] * g[j];
        }
        return (double) s0 + s1 + s2 + s3;
    }
}
