package dev.calibra.model.decoder;

/**
 * Rotary position embedding of one kind of layer: how many dimensions of each head rotate and, for a
 * sequence of a given length, the inverse frequencies and the factor that scales cos and sin (transformers'
 * {@code modeling_rope_utils}: {@code inv_freq} and {@code attention_scaling}). Dynamic kinds (dynamic NTK,
 * LongRoPE) change with the length; the others do not.
 */
public sealed interface RopeSpec permits RopeSpec.Fixed, RopeSpec.DynamicNtk, RopeSpec.LongRope {

    /** Rotated dimensions per head (head_dim times partial_rotary_factor), even. */
    int rotaryDim();

    /** The frequencies for a sequence whose positions run up to {@code length - 1}. */
    Frequencies at(int length);

    /** inv_freq ({@code rotaryDim / 2} values) and the factor applied to cos and sin. */
    record Frequencies(double[] inverse, double attentionFactor) {}

    /** How the frequencies were made, for people: "default theta=10000", "llama3 factor=8 ...". */
    String description();

    /** Frequencies that do not depend on the length (default, linear, llama3, yarn). */
    record Fixed(String description, int rotaryDim, double[] inverse, double attentionFactor) implements RopeSpec {
        @Override
        public Frequencies at(int length) {
            return new Frequencies(inverse, attentionFactor);
        }
    }

    /**
     * Dynamic NTK (transformers {@code _compute_dynamic_ntk_parameters}): beyond {@code maxPositions} the base
     * grows to {@code base * ((factor * length / max) - (factor - 1)) ^ (dim / (dim - 2))}.
     */
    record DynamicNtk(int rotaryDim, double base, double factor, int maxPositions) implements RopeSpec {
        @Override
        public String description() {
            return "dynamic theta=" + base + " factor=" + factor + " beyond " + maxPositions + " positions";
        }

        @Override
        public Frequencies at(int length) {
            double scaledBase = base;
            if (length > maxPositions) {
                scaledBase = base * Math.pow(factor * length / maxPositions - (factor - 1), rotaryDim / (rotaryDim - 2.0));
            }
            return new Frequencies(RopeFrequencies.standard(scaledBase, rotaryDim), 1.0);
        }
    }

    /**
     * LongRoPE (transformers {@code _compute_longrope_parameters}): per-frequency rescale factors, the short
     * ones up to the original context and the long ones beyond it; one attention factor for both.
     */
    record LongRope(int rotaryDim, double base, double[] shortFactors, double[] longFactors, int originalMaxPositions,
            double attentionFactor) implements RopeSpec {
        @Override
        public String description() {
            return "longrope theta=" + base + " short factors up to " + originalMaxPositions + " positions, long beyond,"
                    + " attention factor " + attentionFactor;
        }

        @Override
        public Frequencies at(int length) {
            double[] factors = length > originalMaxPositions ? longFactors : shortFactors;
            double[] inverse = RopeFrequencies.standard(base, rotaryDim);
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] /= factors[i];
            }
            return new Frequencies(inverse, attentionFactor);
        }
    }
}
