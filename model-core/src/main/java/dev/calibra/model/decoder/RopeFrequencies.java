package dev.calibra.model.decoder;

/** The rope types whose inverse frequencies are fixed, as transformers' {@code modeling_rope_utils} computes them. */
public final class RopeFrequencies {

    private RopeFrequencies() {}

    /** {@code inv_freq_i = 1 / base^(2i / dim)}, i < dim/2 ({@code _compute_default_rope_parameters}). */
    public static double[] standard(double base, int dim) {
        double[] inverse = new double[dim / 2];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        }
        return inverse;
    }

    /** Position interpolation: {@code inv_freq / factor} ({@code _compute_linear_scaling_rope_parameters}). */
    public static double[] linear(double base, int dim, double factor) {
        double[] inverse = standard(base, dim);
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] /= factor;
        }
        return inverse;
    }

    /**
     * Llama 3.1's smoothing ({@code _compute_llama3_parameters}): wavelengths above
     * {@code original / low_freq_factor} are divided by {@code factor}, those below {@code original / high_freq_factor}
     * kept, and those between interpolated by {@code smooth = (original / wavelen - low) / (high - low)}.
     */
    public static double[] llama3(double base, int dim, double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositions) {
        double[] inverse = standard(base, dim);
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < inverse.length; i++) {
            double wavelen = 2 * Math.PI / inverse[i];
            if (wavelen > lowFreqWavelen) {
                inverse[i] = inverse[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inverse[i] = (1 - smooth) * inverse[i] / factor + smooth * inverse[i];
            }
        }
        return inverse;
    }
}
