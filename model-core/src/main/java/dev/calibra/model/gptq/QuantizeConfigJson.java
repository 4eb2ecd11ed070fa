package dev.calibra.model.gptq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@value #FILE} beside a GPTQ-packed checkpoint, as AutoGPTQ's {@code BaseQuantizeConfig} and GPTQModel's
 * {@code QuantizeConfig} save it: the quantization_config's grid fields and {@code dynamic}, plus how the weights
 * were made ({@code damp_percent}, {@code true_sequential}, {@code static_groups}) at the top level, where AutoGPTQ
 * reads them, and again in {@code meta} with the producer, where GPTQModel keeps them.
 *
 * @param quantizer   the producer, "calibra:0.1.0"
 * @param method      the Calibra method that made the grid ("gptq", "rtn")
 * @param dampPercent GPTQ's dampening as a fraction of the mean Hessian diagonal; null for a method without one
 */
public record QuantizeConfigJson(GptqConfig config, String quantizer, String method, Double dampPercent,
        boolean trueSequential) {

    public static final String FILE = "quantize_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ObjectNode toJson() {
        ObjectNode q = config.fill(JSON.createObjectNode());
        q.put("format", "gptq");   // GPTQModel's newer name of checkpoint_format
        q.put("lm_head", false);
        q.put("pack_dtype", "int32");
        // Calibra computes every group's scale and zero as GPTQ reaches it, as the reference's static_groups=False
        q.put("static_groups", false);
        q.put("true_sequential", trueSequential);
        if (dampPercent != null) {
            q.put("damp_percent", dampPercent);
        }
        ObjectNode meta = q.putObject("meta");
        meta.putArray("quantizer").add(quantizer);
        meta.put("method", method);
        if (dampPercent != null) {
            meta.put("damp_percent", dampPercent);
        }
        meta.put("static_groups", false);
        meta.put("true_sequential", trueSequential);
        return q;
    }

    public void write(Path folder) throws IOException {
        JSON.writeValue(folder.resolve(FILE).toFile(), toJson());
    }
}
