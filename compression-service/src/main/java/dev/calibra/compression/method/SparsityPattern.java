package dev.calibra.compression.method;

/** Which weights a pruning method may zero: any fraction of them, or N of every M consecutive columns. */
public sealed interface SparsityPattern {

    /** Unstructured: about {@code sparsity} of all weights, 0 < sparsity < 1. */
    record Unstructured(double sparsity) implements SparsityPattern {
        public Unstructured {
            if (!(sparsity > 0 && sparsity < 1)) {
                throw new IllegalArgumentException("sparsity: must be in (0, 1), got " + sparsity);
            }
        }

        @Override
        public double targetSparsity() {
            return sparsity;
        }
    }

    /** Semi-structured N:M: in every row, N of each group of M consecutive columns are zero, 0 < N < M. */
    record NOfM(int n, int m) implements SparsityPattern {
        public NOfM {
            if (m < 2) {
                throw new IllegalArgumentException("m: must be >= 2, got " + m);
            }
            if (n <= 0 || n >= m) {
                throw new IllegalArgumentException("n: must be in [1, m), got n=" + n + " m=" + m);
            }
        }

        @Override
        public double targetSparsity() {
            return (double) n / m;
        }
    }

    /** Fraction of weights this pattern zeroes. */
    double targetSparsity();
}
