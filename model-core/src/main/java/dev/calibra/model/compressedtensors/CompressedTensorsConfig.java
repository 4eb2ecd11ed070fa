package dev.calibra.model.compressedtensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quantization_config} of a compressed-tensors "pack-quantized" checkpoint as llm-compressor writes it and
 * vLLM reads it: one scheme targeting every {@code Linear}, integer weights of {@code num_bits} (1, 2, 4 or 8: the
 * widths whose packing every compressed-tensors version agrees on), symmetric or not, in groups of
 * {@code group_size} or per output channel, {@code actorder} "group" (a {@code weight_g_idx}) or none, no activation
 * quantization; {@code ignore} lists the full names of the modules left unquantized. Anything else is refused by
 * field.
 *
 * @param groupSize -1 for the channel strategy
 * @param actOrder  whether columns map to groups through {@code weight_g_idx} (actorder "group")
 */
public record CompressedTensorsConfig(int bits, boolean symmetric, int groupSize, boolean actOrder, List<String> ignore) {

    public static final String KEY = "quantization_config";
    public static final String METHOD = "compressed-tensors";
    public static final String FORMAT = "pack-quantized";

    public CompressedTensorsConfig {
        requireBits(bits);
        ignore = List.copyOf(ignore);
    }

    /** The widths compressed-tensors packs the same way in every version (3, 5, 6, 7 changed layout in 0.18). */
    public static void requireBits(int bits) {
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits: compressed-tensors pack-quantized is written for 1, 2, 4 or 8 bits"
                    + " (the layout of other widths differs between its versions); got " + bits);
        }
    }

    /** The config of a config.json tree, or null when its quantization_config is not compressed-tensors. */
    public static CompressedTensorsConfig of(JsonNode configJson) throws ModelFormatException {
        JsonNode q = configJson.path(KEY);
        if (!q.isObject() || !METHOD.equals(q.path("quant_method").asText())) {
            return null;
        }
        String where = "config.json quantization_config";
        String format = q.path("format").asText(FORMAT);
        if (!format.equals(FORMAT)) {
            throw new ModelFormatException(where + ".format '" + format + "' is not supported; Calibra reads '" + FORMAT + "'");
        }
        JsonNode groups = q.path("config_groups");
        if (groups.size() != 1) {
            throw new ModelFormatException(where + ".config_groups has " + groups.size()
                    + " schemes; Calibra reads one scheme for every Linear");
        }
        String name = groups.fieldNames().next();
        JsonNode scheme = groups.get(name);
        String at = where + ".config_groups." + name;
        if (!"pack-quantized".equals(scheme.path("format").asText(FORMAT))) {
            throw new ModelFormatException(at + ".format '" + scheme.path("format").asText() + "' is not supported");
        }
        if (!scheme.path("targets").toString().equals("[\"Linear\"]")) {
            throw new ModelFormatException(at + ".targets " + scheme.path("targets") + ": Calibra reads [\"Linear\"]");
        }
        for (String activations : List.of("input_activations", "output_activations")) {
            if (!scheme.path(activations).isMissingNode() && !scheme.path(activations).isNull()) {
                throw new ModelFormatException(at + "." + activations + ": activation quantization is not supported");
            }
        }
        JsonNode w = scheme.path("weights");
        if (!"int".equals(w.path("type").asText())) {
            throw new ModelFormatException(at + ".weights.type '" + w.path("type").asText() + "': Calibra reads int weights");
        }
        if (w.path("dynamic").asBoolean(false)) {
            throw new ModelFormatException(at + ".weights.dynamic true: Calibra reads static weight scales");
        }
        int bits = w.path("num_bits").asInt(-1);
        try {
            requireBits(bits);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(at + ".weights.num_bits: " + e.getMessage());
        }
        String strategy = w.path("strategy").asText("");
        int groupSize = switch (strategy) {
            case "group" -> w.path("group_size").asInt(-1);
            case "channel" -> -1;
            default -> throw new ModelFormatException(at + ".weights.strategy '" + strategy + "': Calibra reads group or channel");
        };
        if (strategy.equals("group") && groupSize < 1) {
            throw new ModelFormatException(at + ".weights.group_size must be positive for strategy group, got " + w.path("group_size"));
        }
        String actorder = w.path("actorder").isNull() ? "" : w.path("actorder").asText("");
        boolean grouped = switch (actorder) {
            case "", "weight", "static" -> false;   // calibration order only: nothing on disk
            case "group", "dynamic" -> true;
            default -> throw new ModelFormatException(at + ".weights.actorder '" + actorder + "' is not known");
        };
        List<String> ignore = new ArrayList<>();
        q.path("ignore").forEach(entry -> ignore.add(entry.asText()));
        return new CompressedTensorsConfig(bits, w.path("symmetric").asBoolean(true), groupSize, grouped, ignore);
    }

    /** Writes this config as {@code quantization_config} into a config.json tree, keys in llm-compressor's order. */
    public void writeTo(ObjectNode configJson) {
        ObjectNode q = configJson.putObject(KEY);
        ObjectNode scheme = q.putObject("config_groups").putObject("group_0");
        scheme.put("format", FORMAT);
        scheme.putNull("input_activations");
        scheme.putNull("output_activations");
        scheme.putArray("targets").add("Linear");
        ObjectNode w = scheme.putObject("weights");
        if (actOrder) {
            w.put("actorder", "group");
        } else {
            w.putNull("actorder");
        }
        w.putNull("block_structure");
        w.put("dynamic", false);
        if (groupSize > 0) {
            w.put("group_size", groupSize);
        } else {
            w.putNull("group_size");
        }
        w.put("num_bits", bits);
        w.put("observer", "minmax");
        w.putObject("observer_kwargs");
        w.put("strategy", groupSize > 0 ? "group" : "channel");
        w.put("symmetric", symmetric);
        w.put("type", "int");
        q.put("format", FORMAT);
        q.putNull("global_compression_ratio");
        q.putArray("ignore").addAll(ignore.stream().map(q::textNode).toList());
        q.putNull("kv_cache_scheme");
        q.put("quant_method", METHOD);
        q.put("quantization_status", "compressed");
        q.putObject("sparsity_config");
        q.putObject("transform_config");
    }
}
