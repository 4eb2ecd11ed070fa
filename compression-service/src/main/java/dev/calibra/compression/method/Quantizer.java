package dev.calibra.compression.method;

/**
 * The uniform min/max quantizer of IST-DASLab/gptq quant.py ({@code Quantizer.find_params} with
 * {@code perchannel=True, weight=True}, and {@code quantize}), shared by GPTQ and RTN. All arithmetic
 * is float32 like the reference, so rounding decisions match.
 *
 * <p>Per row of a group of columns: {@code xmin = min(0, min x)}, {@code xmax = max(0, max x)};
 * symmetric grids use {@code xmax = max(|xmin|, xmax)}, {@code xmin = -xmax} when xmin &lt; 0; an all-zero
 * row gets {@code [-1, 1]}. Then {@code scale = (xmax - xmin) / maxq} and
 * {@code zero = round(-xmin / scale)}, or {@code (maxq + 1) / 2} when symmetric.
 */
public final class Quantizer {

    private Quantizer() {
    }

    /** Largest integer level, {@code 2^bits - 1}. */
    public static int maxLevel(int bits) {
        return (1 << bits) - 1;
    }

    static void requireValidBits(int bits) {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits: must be 2, 3, 4 or 8, got " + bits);
        }
    }

    static void requireValidGroupSize(int groupSize) {
        if (groupSize != -1 && groupSize < 1) {
            throw new IllegalArgumentException("groupSize: must be -1 (per row) or >= 1, got " + groupSize);
        }
    }

    /**
     * {@code find_params} over columns {@code [from, to)} of the row-major {@code [rows, stride]} matrix
     * {@code w}; writes one scale and zero point per row.
     */
    public static void findParams(float[] w, int rows, int stride, int from, int to, int maxq, boolean symmetric,
            float[] scale, float[] zero) {
        RowParallel.forEachRowRange(rows, (rowFrom, rowTo) -> {
            for (int r = rowFrom; r < rowTo; r++) {
                float xmin = 0f;
                float xmax = 0f;
                for (int k = r * stride + from, end = r * stride + to; k < end; k++) {
                    xmin = Math.min(xmin, w[k]);
                    xmax = Math.max(xmax, w[k]);
                }
                setParams(r, xmin, xmax, maxq, symmetric, scale, zero);
            }
        });
    }

    /** The grid of one row from the minimum and maximum of its group (both already clamped through 0). */
    static void setParams(int row, float xmin, float xmax, int maxq, boolean symmetric, float[] scale, float[] zero) {
        if (symmetric) {
            xmax = Math.max(Math.abs(xmin), xmax);
            if (xmin < 0) {
                xmin = -xmax;
            }
        }
        if (xmin == 0f && xmax == 0f) {
            xmin = -1f;
            xmax = 1f;
        }
        float s = (xmax - xmin) / maxq;
        scale[row] = s;
        zero[row] = symmetric ? (maxq + 1) / 2f : (float) Math.rint(-xmin / s);
    }

    /** {@code scale * (clamp(round(x / scale) + zero, 0, maxq) - zero)}, round half to even like torch. */
    public static float quantize(float x, float scale, float zero, int maxq) {
        float q = (float) Math.rint(x / scale) + zero;
        q = Math.min(Math.max(q, 0f), maxq);
        return scale * (q - zero);
    }

    /** The integer level of an already quantized value ({@code round(x / scale) + zero}). */
    static int level(float x, float scale, float zero) {
        return (int) ((float) Math.rint(x / scale) + zero);
    }
}
