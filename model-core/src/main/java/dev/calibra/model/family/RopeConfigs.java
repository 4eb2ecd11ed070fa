package dev.calibra.model.family;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.config.ConfigFields;
import dev.calibra.model.decoder.RopeFrequencies;
import dev.calibra.model.decoder.RopeSpec;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rotary embedding a config describes, in either form transformers reads: {@code rope_theta} and
 * {@code rope_scaling} (v4), or {@code rope_parameters} (v5: the theta inside, and for Gemma 3 one entry per
 * layer type). Every rope type transformers applies to these families is computed
 * ({@code modeling_rope_utils}); any other type, or a key of a known type that Calibra does not read, is
 * refused naming it.
 */
final class RopeConfigs {

    private static final Map<String, Set<String>> KEYS = Map.of(
            "default", Set.of(),
            "linear", Set.of("factor"),
            "dynamic", Set.of("factor", "original_max_position_embeddings"),
            "llama3", Set.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"),
            "yarn", Set.of("factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor",
                    "mscale", "mscale_all_dim", "truncate"),
            "longrope", Set.of("short_factor", "long_factor", "factor", "attention_factor", "original_max_position_embeddings"));
    /** Keys every rope entry may carry besides its type's. */
    private static final Set<String> COMMON = Set.of("rope_type", "type", "rope_theta", "partial_rotary_factor");

    private RopeConfigs() {}

    /**
     * The one rotary embedding of every layer. As transformers standardizes it: {@code rope_scaling} (v4) wins
     * over {@code rope_parameters} (v5) when both are given; theta comes from that entry, else the top level.
     */
    static RopeSpec read(ConfigFields config, int headDim, double defaultTheta, int maxPositions, boolean partialRotary)
            throws ModelFormatException {
        Optional<JsonNode> scaling = config.node("rope_scaling");
        Optional<JsonNode> parameters = config.node("rope_parameters");
        if (scaling.isPresent()) {
            return entry(config, "rope_scaling", scaling, headDim, defaultTheta, maxPositions, partialRotary);
        }
        if (parameters.isPresent() && isPerLayerType(parameters.get())) {
            throw config.refuse("rope_parameters", "has one entry per layer type, which this family does not have");
        }
        return entry(config, "rope_parameters", parameters, headDim, defaultTheta, maxPositions, partialRotary);
    }

    /**
     * Gemma 3's rotary embedding of a layer type: v5 writes {@code rope_parameters} per layer type; the v4 layout
     * gives sliding layers rope_local_base_freq with no scaling and global layers rope_theta with rope_scaling.
     */
    static RopeSpec forLayerType(ConfigFields config, String layerType, int headDim, double defaultTheta, int maxPositions)
            throws ModelFormatException {
        Optional<JsonNode> scaling = config.node("rope_scaling");
        Optional<JsonNode> parameters = config.node("rope_parameters");
        if (scaling.isEmpty() && parameters.isPresent() && isPerLayerType(parameters.get())) {
            JsonNode entry = parameters.get().get(layerType);
            if (entry == null || !entry.isObject()) {
                throw config.refuse("rope_parameters", "has no entry for " + layerType + " layers");
            }
            return entry(config, "rope_parameters." + layerType, Optional.of(entry), headDim, defaultTheta, maxPositions, false);
        }
        if (layerType.equals(FamilyParts.SLIDING)) {
            double base = config.optionalDouble("rope_local_base_freq", defaultTheta);
            int dim = rotaryDim(config, headDim, Optional.empty(), false);
            return new RopeSpec.Fixed("default theta=" + base, dim, RopeFrequencies.standard(base, dim), 1.0);
        }
        return scaling.isPresent() ? entry(config, "rope_scaling", scaling, headDim, defaultTheta, maxPositions, false)
                : entry(config, "rope_parameters", parameters, headDim, defaultTheta, maxPositions, false);
    }

    private static boolean isPerLayerType(JsonNode parameters) {
        return parameters.has(FamilyParts.FULL) || parameters.has(FamilyParts.SLIDING);
    }

    /** One rope entry (absent: the default type); theta inside it, else the top-level rope_theta. */
    private static RopeSpec entry(ConfigFields config, String field, Optional<JsonNode> node, int headDim, double defaultTheta,
            int maxPositions, boolean partialRotary) throws ModelFormatException {
        JsonNode scaling = node.orElse(null);
        if (scaling != null && !scaling.isObject()) {
            throw config.refuse(field, "must be an object");
        }
        String type = scaling == null ? "default" : text(scaling, "rope_type", text(scaling, "type", "default"));
        if (!KEYS.containsKey(type)) {
            throw config.refuse(field, "rope_type '" + type + "' is not one Calibra computes (" + String.join(", ",
                    List.of("default", "linear", "dynamic", "llama3", "yarn", "longrope")) + ")");
        }
        if (scaling != null) {
            for (Iterator<String> keys = scaling.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!COMMON.contains(key) && !KEYS.get(type).contains(key)) {
                    throw config.refuse(field, "key '" + key + "' of rope type " + type + " is not one Calibra reads");
                }
            }
        }
        double topTheta = config.optionalDouble("rope_theta", defaultTheta);
        double theta = scaling != null && scaling.has("rope_theta") ? number(config, field, scaling, "rope_theta") : topTheta;
        int dim = rotaryDim(config, headDim, Optional.ofNullable(scaling), partialRotary);
        return switch (type) {
            case "default" -> new RopeSpec.Fixed("default theta=" + theta, dim, RopeFrequencies.standard(theta, dim), 1.0);
            case "linear" -> new RopeSpec.Fixed("linear theta=" + theta + " factor=" + number(config, field, scaling, "factor"), dim,
                    RopeFrequencies.linear(theta, dim, number(config, field, scaling, "factor")), 1.0);
            // dynamic NTK grows past max_position_embeddings (dynamic_rope_update)
            case "dynamic" -> new RopeSpec.DynamicNtk(dim, theta, number(config, field, scaling, "factor"), maxPositions);
            case "llama3" -> new RopeSpec.Fixed("llama3 theta=" + theta + " " + scaling, dim, RopeFrequencies.llama3(theta, dim,
                    number(config, field, scaling, "factor"), number(config, field, scaling, "low_freq_factor"),
                    number(config, field, scaling, "high_freq_factor"), originalMaxPositions(config, field, scaling, maxPositions)),
                    1.0);
            case "yarn" -> yarn(config, field, scaling, theta, dim, maxPositions);
            case "longrope" -> longRope(config, field, scaling, theta, dim, maxPositions);
            default -> throw new IllegalStateException(type);
        };
    }

    /** original_max_position_embeddings: the top level (Phi-3 keeps it there), else the rope entry, else max_position_embeddings. */
    private static int originalMaxPositions(ConfigFields config, String field, JsonNode scaling, int maxPositions)
            throws ModelFormatException {
        if (config.has("original_max_position_embeddings")) {
            return config.optionalInt("original_max_position_embeddings", maxPositions);
        }
        return scaling.has("original_max_position_embeddings")
                ? (int) number(config, field, scaling, "original_max_position_embeddings") : maxPositions;
    }

    /**
     * YaRN ({@code _compute_yarn_parameters}): inv_freq blends interpolation (divided by factor) and extrapolation
     * across a linear ramp between the correction dims of beta_fast and beta_slow rotations at the original
     * context; cos and sin scale by the attention factor.
     */
    private static RopeSpec yarn(ConfigFields config, String field, JsonNode scaling, double base, int dim, int maxPositions)
            throws ModelFormatException {
        int original = originalMaxPositions(config, field, scaling, maxPositions);
        // v5: the explicit factor; derived from the two contexts only when it is missing
        double factor = scaling.has("factor") ? number(config, field, scaling, "factor") : (double) maxPositions / original;
        double betaFast = scaling.has("beta_fast") ? number(config, field, scaling, "beta_fast") : 32;
        double betaSlow = scaling.has("beta_slow") ? number(config, field, scaling, "beta_slow") : 1;
        boolean truncate = !scaling.has("truncate") || scaling.get("truncate").asBoolean(true);
        double attentionFactor;
        if (scaling.has("attention_factor")) {
            attentionFactor = number(config, field, scaling, "attention_factor");
        } else if (scaling.has("mscale") && scaling.has("mscale_all_dim") && number(config, field, scaling, "mscale") != 0
                && number(config, field, scaling, "mscale_all_dim") != 0) {
            attentionFactor = mscale(factor, number(config, field, scaling, "mscale"))
                    / mscale(factor, number(config, field, scaling, "mscale_all_dim"));
        } else {
            attentionFactor = mscale(factor, 1);
        }
        double low = correctionDim(betaFast, dim, base, original);
        double high = correctionDim(betaSlow, dim, base, original);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;   // prevents a singular ramp
        }
        double[] inverse = new double[dim / 2];
        for (int i = 0; i < inverse.length; i++) {
            double posFreq = Math.pow(base, (2.0 * i) / dim);
            double extrapolation = 1 / posFreq;
            double interpolation = 1 / (factor * posFreq);
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationFactor = 1 - ramp;
            inverse[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return new RopeSpec.Fixed("yarn theta=" + base + " factor=" + factor + " original=" + original + " beta_fast=" + betaFast
                + " beta_slow=" + betaSlow + " attention factor " + attentionFactor, dim, inverse, attentionFactor);
    }

    /** get_mscale: 0.1 * mscale * ln(scale) + 1 above a scale of 1. */
    private static double mscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    /** find_correction_dim: the dimension whose wavelength turns {@code rotations} times over the context. */
    private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * LongRoPE ({@code _compute_longrope_parameters}): the short factors up to original_max_position_embeddings
     * (Phi-3 gives it at the top level), the long ones beyond; the attention factor defaults to
     * sqrt(1 + ln(factor) / ln(original)) with factor = max_position_embeddings / original.
     */
    private static RopeSpec longRope(ConfigFields config, String field, JsonNode scaling, double base, int dim, int maxPositions)
            throws ModelFormatException {
        double[] shortFactors = factors(config, field, scaling, "short_factor", dim / 2);
        double[] longFactors = factors(config, field, scaling, "long_factor", dim / 2);
        int original = originalMaxPositions(config, field, scaling, maxPositions);
        double factor = scaling.has("factor") ? number(config, field, scaling, "factor") : (double) maxPositions / original;
        double attentionFactor;
        if (scaling.has("attention_factor")) {
            attentionFactor = number(config, field, scaling, "attention_factor");
        } else {
            attentionFactor = factor <= 1 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
        }
        return new RopeSpec.LongRope(dim, base, shortFactors, longFactors, original, attentionFactor);
    }

    private static double[] factors(ConfigFields config, String field, JsonNode scaling, String key, int count)
            throws ModelFormatException {
        JsonNode list = scaling.get(key);
        if (list == null || !list.isArray() || list.size() != count) {
            throw config.refuse(field, key + " must list " + count + " numbers (rotary dims / 2)");
        }
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = list.get(i).asDouble();
        }
        return values;
    }

    /**
     * head_dim * partial_rotary_factor (top level, or in a v5 rope entry), even and at most head_dim. Only families
     * whose attention rotates part of a head read it; elsewhere the top-level field is left to the unread-field
     * check and a rope entry's is refused.
     */
    private static int rotaryDim(ConfigFields config, int headDim, Optional<JsonNode> scaling, boolean partialRotary)
            throws ModelFormatException {
        boolean inEntry = scaling.isPresent() && scaling.get().has("partial_rotary_factor");
        if (!partialRotary) {
            if (inEntry && scaling.get().get("partial_rotary_factor").asDouble() != 1.0) {
                throw config.refuse("partial_rotary_factor", "this family rotates whole heads");
            }
            return headDim;
        }
        double partial = inEntry ? scaling.get().get("partial_rotary_factor").asDouble()
                : config.optionalDouble("partial_rotary_factor", 1.0);
        int dim = (int) (headDim * partial);
        if (partial <= 0 || partial > 1 || dim % 2 != 0 || dim == 0) {
            throw config.refuse("partial_rotary_factor", "must give an even number of rotary dims in (0, head_dim " + headDim
                    + "], got " + dim);
        }
        return dim;
    }

    private static double number(ConfigFields config, String field, JsonNode scaling, String key) throws ModelFormatException {
        JsonNode value = scaling.get(key);
        if (value == null || !value.isNumber()) {
            throw config.refuse(field, "needs the number '" + key + "'");
        }
        return value.asDouble();
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? fallback : value.asText();
    }
}
