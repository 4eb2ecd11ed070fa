package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * AWQ's clipping search (llm-awq auto_clip.py {@code auto_clip_layer}, {@code apply_clip}) on a weight already
 * scaled, with its inputs divided by the same scales: for each row and group, shrink the range to
 * {@code max_val = org_max * (1 - i / 20)}, i = 0..9, quantize {@code clamp(W, -max_val, max_val)}, and keep the
 * first step with the strictly lowest {@code mean over tokens of (sum over the group's columns of x (q - w))^2}.
 * Upstream subsamples every (tokens / 512)-th token and refuses fewer than 512 tokens (a zero stride); Calibra takes
 * every token then. Upstream batches rows by 256 or 64 and refuses other row counts; rows are independent, so all
 * rows go at once. A shorter last group is searched like the others.
 */
public final class AwqClipSearch {

    /** auto_clip_layer's grid ({@code n_grid}) and largest shrink ({@code max_shrink}): steps 0..9. */
    public static final int GRID = 20;
    public static final double MAX_SHRINK = 0.5;
    public static final int STEPS = (int) (MAX_SHRINK * GRID);
    /** {@code n_sample_token}. */
    public static final int SAMPLE_TOKENS = 512;

    private AwqClipSearch() {}

    /**
     * @param maxVal        {@code [rows, groups]} the clipping bound chosen
     * @param index         {@code [rows, groups]} the step chosen (0 = unclipped)
     * @param errors        {@code [rows, groups, STEPS]} every step's error
     * @param clippedGroups (row, group) pairs whose bound shrank
     */
    public record Result(float[] maxVal, int[] index, float[] errors, int clippedGroups) {}

    /** Every (tokens / 512)-th row of {@code x [tokens, in]} (all of them under 1024 tokens); a new array. */
    public static NDArray sampleTokens(NDArray x) {
        long tokens = x.getShape().get(0);
        long stride = Math.max(1, tokens / SAMPLE_TOKENS);
        return stride == 1 ? x.duplicate() : x.get("::{}", stride);
    }

    /**
     * The search on {@code w [rows, columns]} (scaled) with inputs {@code x [tokens, columns]} (scaled, sampled).
     */
    public static Result search(float[] w, int rows, int columns, NDArray x, int bits, int groupSize) {
        int groups = AwqQuantizer.groups(columns, groupSize);
        int width = AwqQuantizer.width(columns, groupSize);
        float[] maxVal = new float[rows * groups];
        int[] index = new int[rows * groups];
        float[] errors = new float[rows * groups * STEPS];
        int clipped = 0;
        try (NDManager scope = x.getManager().newSubManager()) {
            for (int g = 0; g < groups; g++) {
                int from = g * width;
                int to = Math.min(columns, from + width);
                int span = to - from;
                NDArray xg = x.get(":, {}:{}", from, to);
                xg.attach(scope);
                float[] wg = new float[rows * span];
                float[] orgMax = new float[rows];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(w, r * columns + from, wg, r * span, span);
                    float m = 0f;
                    for (int k = 0; k < span; k++) {
                        m = Math.max(m, Math.abs(wg[r * span + k]));
                    }
                    orgMax[r] = m;
                }
                float[] best = new float[rows];
                java.util.Arrays.fill(best, 1e9f);
                for (int i = 0; i < STEPS; i++) {
                    float factor = (float) (1 - i * 1.0 / GRID);
                    float[] bound = new float[rows];
                    float[] delta = new float[rows * span];
                    float[] clampedRow = new float[rows * span];
                    for (int r = 0; r < rows; r++) {
                        bound[r] = orgMax[r] * factor;
                        for (int k = r * span; k < (r + 1) * span; k++) {
                            clampedRow[k] = Math.min(Math.max(wg[k], -bound[r]), bound[r]);
                        }
                    }
                    float[] q = AwqQuantizer.values(clampedRow, rows, span, bits, span);
                    for (int k = 0; k < delta.length; k++) {
                        delta[k] = q[k] - wg[k];
                    }
                    float[] err;
                    try (NDManager step = scope.newSubManager()) {
                        NDArray d = step.create(delta, new Shape(rows, span));
                        err = xg.matMul(d.transpose()).square().mean(new int[] {0}).toFloatArray();
                    }
                    for (int r = 0; r < rows; r++) {
                        int p = r * groups + g;
                        errors[p * STEPS + i] = err[r];
                        if (err[r] < best[r]) {                      // strict: ties keep the wider range
                            best[r] = err[r];
                            maxVal[p] = bound[r];
                            index[p] = i;
                        }
                    }
                }
            }
        }
        for (int p = 0; p < index.length; p++) {
            clipped += index[p] > 0 ? 1 : 0;
        }
        return new Result(maxVal, index, errors, clipped);
    }

    /** {@code apply_clip}: each row's group clamped to {@code [-max_val, max_val]} (a new array). */
    public static float[] apply(float[] w, int rows, int columns, int groupSize, float[] maxVal) {
        int groups = AwqQuantizer.groups(columns, groupSize);
        int width = AwqQuantizer.width(columns, groupSize);
        float[] out = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                float bound = maxVal[r * groups + c / width];
                out[r * columns + c] = Math.min(Math.max(w[r * columns + c], -bound), bound);
            }
        }
        return out;
    }
}
