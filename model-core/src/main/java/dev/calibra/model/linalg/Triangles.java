package dev.calibra.model.linalg;

/** Small in-place helpers on square row-major matrices. */
final class Triangles {

    private Triangles() {
    }

    static void transposeInPlace(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                float t = a[i * n + j];
                a[i * n + j] = a[j * n + i];
                a[j * n + i] = t;
            }
        }
    }

    static void transposeInPlace(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double t = a[i * n + j];
                a[i * n + j] = a[j * n + i];
                a[j * n + i] = t;
            }
        }
    }

    /** Copies the lower triangle onto the upper one, in 64 x 64 tiles so reads stay in cache. */
    static void mirrorLowerToUpper(float[] a, int n) {
        int tile = 64;
        for (int i0 = 0; i0 < n; i0 += tile) {
            for (int j0 = i0; j0 < n; j0 += tile) {
                for (int i = i0; i < Math.min(n, i0 + tile); i++) {
                    for (int j = Math.max(j0, i + 1); j < Math.min(n, j0 + tile); j++) {
                        a[i * n + j] = a[j * n + i];
                    }
                }
            }
        }
    }

    static void mirrorLowerToUpper(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                a[i * n + j] = a[j * n + i];
            }
        }
    }

    static void zeroStrictUpper(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(a, i * n + i + 1, i * n + n, 0f);
        }
    }

    static void zeroStrictUpper(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(a, i * n + i + 1, i * n + n, 0d);
        }
    }

    static void zeroStrictLower(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(a, i * n, i * n + i, 0f);
        }
    }

    /** {@code out[i][j] = a[n-1-i][n-1-j]}: conjugation with the reversal permutation J. */
    static void reverseBothAxes(float[] a, int n) {
        int last = n * n - 1;
        for (int k = 0; k < (n * n) / 2; k++) {
            float t = a[k];
            a[k] = a[last - k];
            a[last - k] = t;
        }
    }

    static void reverseBothAxes(double[] a, int n) {
        int last = n * n - 1;
        for (int k = 0; k < (n * n) / 2; k++) {
            double t = a[k];
            a[k] = a[last - k];
            a[last - k] = t;
        }
    }
}
