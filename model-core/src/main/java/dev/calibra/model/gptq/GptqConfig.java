package dev.calibra.model.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quantization_config} of a GPTQ-packed config.json, as transformers / AutoGPTQ read it:
 * {@code quant_method "gptq"}, {@code bits}, {@code group_size} (-1 per channel), {@code desc_act},
 * {@code sym}, {@code checkpoint_format "gptq"} (v1: zeros stored minus one), and
 * {@code modules_in_block_to_quantize} (one list of the packed linears of each block, e.g.
 * {@code "self_attn.q_proj"}); Calibra adds {@code calibra_dense_modules}: the linears (names inside a
 * block) whose shape or zero points could not be packed and that are stored dequantized as plain float
 * {@code .weight} tensors.
 */
public record GptqConfig(int bits, int groupSize, boolean descAct, boolean sym, List<String> packedModules,
        List<String> denseModules) {

    public static final String KEY = "quantization_config";
    public static final String DENSE_MODULES = "calibra_dense_modules";

    public GptqConfig {
        GptqBitPacking.requireBits(bits);
        packedModules = List.copyOf(packedModules);
        denseModules = List.copyOf(denseModules);
    }

    /** The config of a config.json tree, or null when it has no GPTQ quantization_config. */
    public static GptqConfig of(JsonNode configJson) throws ModelFormatException {
        JsonNode q = configJson.path(KEY);
        if (!q.isObject() || !"gptq".equals(q.path("quant_method").asText())) {
            return null;
        }
        String format = q.path("checkpoint_format").asText("gptq");
        if (!format.equals("gptq")) {
            throw new ModelFormatException("config.json quantization_config.checkpoint_format '" + format
                    + "' is not supported; Calibra reads 'gptq' (v1)");
        }
        int bits = q.path("bits").asInt(-1);
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new ModelFormatException("config.json quantization_config.bits must be 2, 3, 4 or 8, got "
                    + q.path("bits"));
        }
        List<String> packed = new ArrayList<>();
        for (JsonNode block : q.path("modules_in_block_to_quantize")) {
            block.forEach(name -> packed.add(name.asText()));
        }
        List<String> dense = new ArrayList<>();
        q.path(DENSE_MODULES).forEach(name -> dense.add(name.asText()));
        return new GptqConfig(bits, q.path("group_size").asInt(-1), q.path("desc_act").asBoolean(false),
                q.path("sym").asBoolean(false), packed, dense);
    }

    /** Writes this config as {@code quantization_config} into a config.json tree. */
    public void writeTo(ObjectNode configJson) {
        ObjectNode q = configJson.putObject(KEY);
        q.put("quant_method", "gptq");
        q.put("bits", bits);
        q.put("group_size", groupSize);
        q.put("desc_act", descAct);
        q.put("sym", sym);
        q.put("checkpoint_format", "gptq");
        q.putArray("modules_in_block_to_quantize").addArray().addAll(
                packedModules.stream().map(q::textNode).toList());
        q.putArray(DENSE_MODULES).addAll(denseModules.stream().map(q::textNode).toList());
    }
}
