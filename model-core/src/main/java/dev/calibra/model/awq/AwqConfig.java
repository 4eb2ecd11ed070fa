package dev.calibra.model.awq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quantization_config} of an AWQ-packed config.json as transformers' {@code AwqConfig} and vLLM read
 * it: {@code quant_method "awq"}, {@code bits 4}, {@code group_size}, {@code zero_point true}, {@code version
 * "gemm"}, {@code modules_to_not_convert} (names matched as parts of a module's path: the linears stored as plain
 * float weights). Calibra reads and writes exactly that variant and refuses the others by field.
 */
public record AwqConfig(int groupSize, List<String> modulesToNotConvert) {

    public static final String KEY = "quantization_config";

    public AwqConfig {
        modulesToNotConvert = List.copyOf(modulesToNotConvert);
    }

    /** The config of a config.json tree, or null when its quantization_config is not AWQ. */
    public static AwqConfig of(JsonNode configJson) throws ModelFormatException {
        JsonNode q = configJson.path(KEY);
        if (!q.isObject() || !"awq".equals(q.path("quant_method").asText())) {
            return null;
        }
        int bits = q.has("bits") ? q.path("bits").asInt(-1) : q.path("w_bit").asInt(-1);
        if (bits != AwqPackedLinear.BITS) {
            throw new ModelFormatException("config.json quantization_config.bits is " + q.path("bits")
                    + "; Calibra reads 4-bit AWQ (the GEMM layout)");
        }
        String version = q.path("version").asText("gemm").toLowerCase(java.util.Locale.ROOT);
        if (!version.equals("gemm")) {
            throw new ModelFormatException("config.json quantization_config.version '" + version
                    + "' is not supported; Calibra reads 'gemm'");
        }
        if (!q.path("zero_point").asBoolean(true)) {
            throw new ModelFormatException("config.json quantization_config.zero_point false is not supported;"
                    + " Calibra reads AWQ with zero points");
        }
        int groupSize = q.has("group_size") ? q.path("group_size").asInt(-1) : q.path("q_group_size").asInt(-1);
        if (groupSize <= 0) {
            throw new ModelFormatException("config.json quantization_config.group_size must be positive, got "
                    + q.path("group_size"));
        }
        List<String> dense = new ArrayList<>();
        q.path("modules_to_not_convert").forEach(name -> dense.add(name.asText()));
        return new AwqConfig(groupSize, dense);
    }

    /** Writes this config as {@code quantization_config} into a config.json tree. */
    public void writeTo(ObjectNode configJson) {
        ObjectNode q = configJson.putObject(KEY);
        q.put("quant_method", "awq");
        q.put("bits", AwqPackedLinear.BITS);
        q.put("group_size", groupSize);
        q.put("zero_point", true);
        q.put("version", "gemm");
        q.putArray("modules_to_not_convert").addAll(modulesToNotConvert.stream().map(q::textNode).toList());
    }
}
