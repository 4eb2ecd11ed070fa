package dev.calibra.model.linalg;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@link Linalg} on the MKL BLAS/LAPACK that libtorch_cpu.so exports ({@code spotrf_ spotri_ strsm_
 * sgemm_} and the double versions), called through JNA. The library must already be loaded by DJL
 * ({@code Engine.getEngine("PyTorch")}); we open the very same file, found in /proc/self/maps, so no
 * second copy of MKL and its thread pool is loaded (STACK-NOTES section 3).
 *
 * <p>LAPACK is column-major; a row-major n x n array is the column-major transpose. For symmetric A
 * that is A itself, so {@code uplo='U'} yields the row-major lower factor (A = L L^T) and
 * {@code uplo='L'} the row-major upper one (A = U^T U).
 */
public final class LapackLinalg implements Linalg {

    private static final byte[] COLUMN_MAJOR_UPPER = {'U'};   // = row-major lower
    private static final byte[] LEFT = {'L'};
    private static final byte[] RIGHT = {'R'};
    private static final byte[] TRANSPOSE = {'T'};
    /** Column block of the triangular inverse: trailing solves cost about n^3/3 instead of n^3 for one solve. */
    private static final int INVERSE_BLOCK = 512;
    private static final byte[] NO_TRANSPOSE = {'N'};
    private static final byte[] NON_UNIT_DIAGONAL = {'N'};

    private final Function spotrf;
    private final Function spotri;
    private final Function strsm;
    private final Function dpotrf;
    private final Function dpotri;
    private final Function dtrsm;
    private final Function sgemm;

    private LapackLinalg(NativeLibrary library) {
        this.spotrf = library.getFunction("spotrf_");
        this.spotri = library.getFunction("spotri_");
        this.strsm = library.getFunction("strsm_");
        this.dpotrf = library.getFunction("dpotrf_");
        this.dpotri = library.getFunction("dpotri_");
        this.dtrsm = library.getFunction("dtrsm_");
        this.sgemm = library.getFunction("sgemm_");
    }

    /**
     * The LAPACK of the libtorch_cpu.so mapped into this process, if any. Call after DJL's PyTorch
     * engine is loaded; returns empty when the library or one of its symbols is missing.
     */
    public static Optional<LapackLinalg> fromLoadedLibtorch() {
        try {
            Optional<String> path = loadedLibraryPath("libtorch_cpu.so");
            if (path.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new LapackLinalg(NativeLibrary.getInstance(path.get())));
        } catch (IOException | UnsatisfiedLinkError e) {
            return Optional.empty();
        }
    }

    static Optional<String> loadedLibraryPath(String fileName) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        return Files.readAllLines(maps).stream()
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .filter(file -> file.endsWith("/" + fileName))
                .findFirst();
    }

    @Override
    public String name() {
        return "lapack-mkl";
    }

    @Override
    public void choleskyLower(float[] a, int n) {
        Linalg.requireSquare(a.length, n);
        potrf(spotrf, a, n);
        Triangles.zeroStrictUpper(a, n);
    }

    @Override
    public void choleskyLower(double[] a, int n) {
        Linalg.requireSquare(a.length, n);
        potrf(dpotrf, a, n);
        Triangles.zeroStrictUpper(a, n);
    }

    @Override
    public void choleskyInverse(float[] l, int n) {
        Linalg.requireSquare(l.length, n);
        potri(spotri, l, n);
        Triangles.mirrorLowerToUpper(l, n);
    }

    @Override
    public void choleskyInverse(double[] l, int n) {
        Linalg.requireSquare(l.length, n);
        potri(dpotri, l, n);
        Triangles.mirrorLowerToUpper(l, n);
    }

    /**
     * Same identity as {@link JavaLinalg#upperCholeskyOfInverse(double[], int)}: potrf on J A J, then the
     * triangular inverse by trsm against the identity (libtorch exports no trtri), in place: one n x n native
     * buffer and a strip of INVERSE_BLOCK rows, not two n x n buffers (at 7B's 11008 columns, 485 MB less).
     */
    @Override
    public void upperCholeskyOfInverse(float[] a, int n) {
        Linalg.requireSquare(a.length, n);
        Triangles.reverseBothAxes(a, n);                          // J A J
        long bytes = (long) a.length * Float.BYTES;
        int strip = Math.min(INVERSE_BLOCK, Math.max(1, n));
        try (Memory m = new Memory(Math.max(4, bytes)); Memory b = new Memory((long) strip * Math.max(1, n) * Float.BYTES)) {
            m.write(0, a, 0, a.length);
            try {
                potrf(spotrf, m, n);                                // column-major J A J = R^T R, R upper
            } catch (NotPositiveDefiniteException e) {
                Triangles.reverseBothAxes(a, n);                  // a as it was (see upperCholeskyOfInverseOrUnchanged)
                throw new NotPositiveDefiniteException(n - 1 - e.pivotIndex(), n);
            }
            // R^-1 one row strip at a time (column-major): rows j0:j1 of R^-1 solve Y R[j0:, j0:] = I[j0:j1, j0:]
            // (trsm side 'R'). Later strips read only R[j1:, j1:], so each strip overwrites R's rows j0:j1.
            float[] solved = new float[strip * Math.max(1, n)];
            for (int j0 = 0; j0 < n; j0 += INVERSE_BLOCK) {
                int width = Math.min(INVERSE_BLOCK, n - j0);
                int columns = n - j0;
                b.clear((long) width * columns * Float.BYTES);
                for (int i = 0; i < width; i++) {
                    b.setFloat(((long) i * width + i) * Float.BYTES, 1f);
                }
                strsm.invoke(Void.class, new Object[] {RIGHT, COLUMN_MAJOR_UPPER, NO_TRANSPOSE, NON_UNIT_DIAGONAL,
                    new int[] {width}, new int[] {columns}, new float[] {1f}, m.share(((long) j0 * n + j0) * Float.BYTES),
                    new int[] {n}, b, new int[] {width}});
                b.read(0, solved, 0, width * columns);
                for (int k = 0; k < columns; k++) {
                    m.write(((long) (j0 + k) * n + j0) * Float.BYTES, solved, k * width, width);
                }
            }
            m.read(0, a, 0, a.length);
        }
        Triangles.zeroStrictUpper(a, n);                          // R^-1's column-major lower part: potrf's leftovers
        Triangles.reverseBothAxes(a, n);                          // U = J M^-1 J, M = R^T the row-major lower factor
    }

    /** In place: {@code a} is copied to native memory before the factorization and un-reversed if it fails. */
    @Override
    public void upperCholeskyOfInverseOrUnchanged(float[] a, int n) {
        upperCholeskyOfInverse(a, n);
    }

    @Override
    public void upperCholeskyOfInverse(double[] a, int n) {
        Linalg.requireSquare(a.length, n);
        Triangles.reverseBothAxes(a, n);
        try {
            potrf(dpotrf, a, n);
        } catch (NotPositiveDefiniteException e) {
            throw new NotPositiveDefiniteException(n - 1 - e.pivotIndex(), n);
        }
        double[] inverse = new double[n * n];
        for (int i = 0; i < n; i++) {
            inverse[i * n + i] = 1d;
        }
        trsm(dtrsm, new double[] {1d}, a, inverse, n);
        System.arraycopy(inverse, 0, a, 0, a.length);
        Triangles.reverseBothAxes(a, n);
    }

    /** Row-major C = alpha op(A) op(B) + beta C is column-major C^T = alpha op(B)^T op(A)^T + beta C^T. */
    @Override
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatBuffer a,
            int aOffset, int lda, FloatBuffer b, int bOffset, int ldb, float beta, FloatBuffer c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        sgemm.invoke(Void.class, new Object[] {transposeB ? TRANSPOSE : NO_TRANSPOSE, transposeA ? TRANSPOSE : NO_TRANSPOSE,
            new int[] {n}, new int[] {m}, new int[] {k}, new float[] {alpha}, pointer(b, bOffset), new int[] {ldb},
            pointer(a, aOffset), new int[] {lda}, new float[] {beta}, pointer(c, cOffset), new int[] {ldc}});
    }

    private static Pointer pointer(FloatBuffer buffer, int offsetFloats) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("buffer: gemm needs direct buffers");
        }
        return Native.getDirectBufferPointer(buffer).share((long) offsetFloats * Float.BYTES);
    }

    private static void potrf(Function potrf, Object a, int n) {
        int[] info = new int[1];
        potrf.invoke(Void.class, new Object[] {COLUMN_MAJOR_UPPER, new int[] {n}, a, new int[] {Math.max(1, n)}, info});
        if (info[0] > 0) {
            throw new NotPositiveDefiniteException(info[0] - 1, n);
        }
        requireLegal(info[0], "potrf");
    }

    private static void potri(Function potri, Object l, int n) {
        int[] info = new int[1];
        potri.invoke(Void.class, new Object[] {COLUMN_MAJOR_UPPER, new int[] {n}, l, new int[] {Math.max(1, n)}, info});
        if (info[0] > 0) {
            throw new NotPositiveDefiniteException(info[0] - 1, n);    // a zero on the diagonal of L
        }
        requireLegal(info[0], "potri");
    }

    /**
     * Overwrites {@code b} (the identity) with {@code L^-1} for the row-major lower L: column-major the
     * arrays read as the upper {@code L^T} and I, trsm('L','U','N') solves {@code L^T Y = I}, and
     * {@code Y = L^-T} read row-major is {@code L^-1}.
     */
    private static void trsm(Function trsm, Object alpha, Object l, Object b, int n) {
        trsm.invoke(Void.class, new Object[] {LEFT, COLUMN_MAJOR_UPPER, NO_TRANSPOSE, NON_UNIT_DIAGONAL,
            new int[] {n}, new int[] {n}, alpha, l, new int[] {Math.max(1, n)}, b, new int[] {Math.max(1, n)}});
    }

    private static void requireLegal(int info, String routine) {
        if (info < 0) {
            throw new IllegalArgumentException(routine + ": argument " + (-info) + " had an illegal value");
        }
    }
}
