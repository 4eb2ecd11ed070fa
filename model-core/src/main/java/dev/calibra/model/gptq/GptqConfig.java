package dev.calibra.model.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code quantization_config} of a GPTQ-packed config.json, as transformers, GPTQModel and vLLM read it:
 * {@code quant_method "gptq"}, {@code bits}, {@code group_size} (-1 per channel), {@code desc_act}, {@code sym},
 * {@code checkpoint_format "gptq"} (v1: zeros stored minus one), {@code modules_in_block_to_quantize} (the packed
 * linears inside a block, e.g. {@code "self_attn.q_proj"}), and {@code dynamic}: one negative entry
 * ({@code "-:<regex>": {}}) per linear left unquantized, the convention with which vLLM and GPTQModel skip a module
 * and load its plain {@code .weight}. The regex is matched from the start of the module's full name
 * ({@code model.layers.3.mlp.down_proj}) and ends with {@code $}, so it holds under both {@code re.match} and
 * {@code re.fullmatch}.
 *
 * @param skipped the negative {@code dynamic} regexes, without the {@code "-:"} prefix
 */
public record GptqConfig(int bits, int groupSize, boolean descAct, boolean sym, List<String> packedModules,
        List<String> skipped) {

    public static final String KEY = "quantization_config";
    public static final String DYNAMIC = "dynamic";
    /** The key earlier Calibra versions wrote for the linears stored dense (names inside a block); still read. */
    static final String LEGACY_DENSE_MODULES = "calibra_dense_modules";

    public GptqConfig {
        GptqBitPacking.requireBits(bits);
        packedModules = List.copyOf(packedModules);
        skipped = List.copyOf(skipped);
    }

    /**
     * A config whose dense linears ({@code denseModules}, names inside a block) are skipped in every block under
     * {@code blocksPrefix} ("model.layers.").
     */
    public static GptqConfig of(int bits, int groupSize, boolean descAct, boolean sym, List<String> packedModules,
            String blocksPrefix, List<String> denseModules) {
        return new GptqConfig(bits, groupSize, descAct, sym, packedModules,
                denseModules.stream().map(module -> skipRegex(blocksPrefix, module)).toList());
    }

    /** The regex of one linear in every block: {@code model\.layers\.\d+\.mlp\.down_proj$}. */
    public static String skipRegex(String blocksPrefix, String module) {
        return escape(blocksPrefix) + "\\d+\\." + escape(module) + "$";
    }

    /** Python's re.escape for the characters of module names (Java's \Q...\E is not Python syntax). */
    static String escape(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 8);
        for (char c : literal.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
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
        List<String> skipped = new ArrayList<>();
        q.path(LEGACY_DENSE_MODULES).forEach(name -> skipped.add(".*\\.\\d+\\." + escape(name.asText()) + "$"));
        for (Iterator<Map.Entry<String, JsonNode>> it = q.path(DYNAMIC).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getKey().startsWith("-:")) {
                // a positive entry overrides bits or group size per module: read with the global ones, it would
                // dequantize to wrong weights
                throw new ModelFormatException("config.json quantization_config.dynamic['" + entry.getKey()
                        + "']: per-module overrides are not supported; Calibra reads only negative ('-:') entries");
            }
            skipped.add(entry.getKey().substring(2));
        }
        return new GptqConfig(bits, q.path("group_size").asInt(-1), q.path("desc_act").asBoolean(false),
                q.path("sym").asBoolean(false), packed, skipped);
    }

    /** Writes this config as {@code quantization_config} into a config.json tree. */
    public void writeTo(ObjectNode configJson) {
        ObjectNode q = fill(configJson.putObject(KEY));
        q.putArray("modules_in_block_to_quantize").addArray().addAll(packedModules.stream().map(q::textNode).toList());
    }

    /** The fields config.json and quantize_config.json share: method, bits, grid, format and {@code dynamic}. */
    public ObjectNode fill(ObjectNode q) {
        q.put("quant_method", "gptq");
        q.put("bits", bits);
        q.put("group_size", groupSize);
        q.put("desc_act", descAct);
        q.put("sym", sym);
        q.put("checkpoint_format", "gptq");
        // absent rather than null when nothing is skipped: vLLM takes a present key's value as the mapping
        if (!skipped.isEmpty()) {
            ObjectNode dynamic = q.putObject(DYNAMIC);
            skipped.forEach(regex -> dynamic.putObject("-:" + regex));
        }
        return q;
    }
}
