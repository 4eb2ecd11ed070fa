package dev.calibra.compression.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * AWQ's steps on one linear: the clip search and final quantization of a linear whose scales are chosen
 * ({@link #clipAndQuantize}, what the block driver runs for every linear), and the whole procedure for a linear that
 * is its own scaling group ({@link #compress}: scale search on the linear's output, then the same; llm-awq's
 * {@code module2inspect} = the linear, as for o_proj and down_proj), which the golden cases and the kernel benchmark
 * run.
 */
public final class AwqLinear {

    private AwqLinear() {}

    /** What {@link #compress} chose on the way: the scale search and, when it ran, the clip search. */
    public record Outcome(AwqScaleSearch.Result scales, AwqClipSearch.Result clip, AwqLayer layer) {}

    /**
     * AWQ on a linear {@code w [rows, columns]} that is its own group, with its inputs {@code x [tokens, columns]}
     * (borrowed): scales by the linear's output error, clip search on the scaled weight with the scaled inputs,
     * quantization; the layer's error is measured on {@code x}.
     */
    public static Outcome compress(float[] w, int rows, int columns, NDArray x, AwqSettings settings) {
        try (LinearOutputError output = new LinearOutputError(x)) {
            return compress(w, rows, columns, x, settings, output);
        }
    }

    private static Outcome compress(float[] w, int rows, int columns, NDArray x, AwqSettings settings, LinearOutputError output) {
        AwqScaleSearch.Result search = AwqScaleSearch.search(AwqScaleSearch.activationScale(x), settings.scaleGrid(),
                s -> output.meanSquared(w, AwqScaleSearch.scaledQuantized(w, rows, columns, s, settings.bits(),
                        settings.groupSize()), rows, columns));
        float[] scaled = AwqScaleSearch.scaleColumns(w, rows, columns, search.scales());
        Clipped clipped = clipAndQuantize(scaled, rows, columns, x, search.scales(), AwqLayer.ones(rows), search.alpha(),
                settings, settings.clipSearch());
        AwqLayer layer = clipped.layer().withError(output.relative(w, clipped.layer().weight(), rows, columns));
        return new Outcome(search, clipped.clip(), layer);
    }

    /** A layer and the clip search that shaped it (null when it did not run). */
    public record Clipped(AwqLayer layer, AwqClipSearch.Result clip) {}

    /**
     * The clip search (when {@code clip}) on {@code scaled} = {@code W * inputScales[c] / outputScales[r]} with the
     * sampled inputs divided by {@code inputScales}, then the quantization; the error is left to the caller.
     *
     * @param x the linear's unscaled inputs {@code [tokens, columns]} (borrowed)
     */
    public static Clipped clipAndQuantize(float[] scaled, int rows, int columns, NDArray x, float[] inputScales,
            float[] outputScales, double alpha, AwqSettings settings, boolean clip) {
        float[] weight = scaled;
        AwqClipSearch.Result search = null;
        if (clip) {
            try (NDManager scope = x.getManager().newSubManager()) {
                NDArray sampled = AwqClipSearch.sampleTokens(x);
                sampled.attach(scope);
                NDArray xs = sampled.div(scope.create(inputScales, new Shape(1, columns)));
                search = AwqClipSearch.search(scaled, rows, columns, xs, settings.bits(), settings.groupSize());
            }
            weight = AwqClipSearch.apply(scaled, rows, columns, settings.groupSize(), search.maxVal());
        }
        AwqQuantizer.Grid grid = AwqQuantizer.quantize(weight, rows, columns, settings.bits(), settings.groupSize());
        return new Clipped(AwqLayer.checked(grid, rows, columns, settings.bits(), settings.groupSize(), inputScales,
                outputScales, alpha, search == null ? -1 : search.clippedGroups()), search);
    }
}
