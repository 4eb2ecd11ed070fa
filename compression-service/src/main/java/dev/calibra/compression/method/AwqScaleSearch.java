package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;

/**
 * AWQ's search for per-input-channel scales (llm-awq auto_scale.py {@code get_act_scale} and
 * {@code _search_module_scales}): with {@code x_max} the mean |x| of each input channel, try
 * {@code s = clamp(x_max^alpha, 1e-4) / sqrt(max(s) min(s))} for {@code alpha = i / grid}, i = 0..grid-1, and keep
 * the first alpha whose loss (the output error of the scaled and quantized linears, {@link Objective}) is strictly
 * lowest. Float32 like the reference.
 */
public final class AwqScaleSearch {

    private AwqScaleSearch() {}

    /** What a candidate costs: the output error of the group's linears quantized as {@code Q(W * s) / s}. */
    public interface Objective {
        double loss(float[] scales);
    }

    /**
     * @param index   the grid point chosen
     * @param alpha   {@code index / grid}
     * @param scales  s of that point
     * @param losses  the loss of every grid point
     */
    public record Result(int index, double alpha, float[] scales, double[] losses) {}

    /** {@code get_act_scale}: mean |x| of each column of {@code x [tokens, channels]}. */
    public static float[] activationScale(NDArray x) {
        try (NDArray mean = x.abs().mean(new int[] {0})) {
            return mean.toFloatArray();
        }
    }

    /** The scales of grid point {@code i}. */
    public static float[] candidate(float[] xMax, int i, int grid) {
        double alpha = i * 1.0 / grid;
        float[] s = new float[xMax.length];
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        for (int c = 0; c < s.length; c++) {
            s[c] = Math.max((float) Math.pow(xMax[c], alpha), 1e-4f);
            max = Math.max(max, s[c]);
            min = Math.min(min, s[c]);
        }
        float norm = (float) Math.sqrt(max * min);
        for (int c = 0; c < s.length; c++) {
            s[c] = s[c] / norm;
        }
        return s;
    }

    public static Result search(float[] xMax, int grid, Objective objective) {
        double[] losses = new double[grid];
        double best = Double.POSITIVE_INFINITY;
        int bestIndex = -1;
        float[] bestScales = null;
        for (int i = 0; i < grid; i++) {
            float[] s = candidate(xMax, i, grid);
            losses[i] = objective.loss(s);
            if (losses[i] < best) {                                  // strict: ties keep the smaller alpha
                best = losses[i];
                bestIndex = i;
                bestScales = s;
            }
        }
        if (bestIndex < 0) {
            throw new IllegalStateException("AWQ scale search: no finite loss on the " + grid + "-point grid "
                    + java.util.Arrays.toString(losses));
        }
        return new Result(bestIndex, bestIndex * 1.0 / grid, bestScales, losses);
    }

    /** {@code Q(W * s) / s}: the weight a candidate gives, on the unscaled input. */
    public static float[] scaledQuantized(float[] w, int rows, int columns, float[] s, int bits, int groupSize) {
        float[] scaled = scaleColumns(w, rows, columns, s);
        float[] q = AwqQuantizer.values(scaled, rows, columns, bits, groupSize);
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0; c < columns; c++) {
                    q[r * columns + c] = q[r * columns + c] / s[c];
                }
            }
        });
        return q;
    }

    /** {@code W * s} per input column (a new array). */
    public static float[] scaleColumns(float[] w, int rows, int columns, float[] s) {
        float[] out = new float[w.length];
        RowParallel.forEachRowRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0; c < columns; c++) {
                    out[r * columns + c] = w[r * columns + c] * s[c];
                }
            }
        });
        return out;
    }
}
