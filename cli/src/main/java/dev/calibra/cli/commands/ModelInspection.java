package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Output;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.config.ModelConfig;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.RopeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What `calibra models inspect` prints: the model as Calibra's family code understood it. */
final class ModelInspection {

    private ModelInspection() {}

    static ObjectNode describe(ModelFolder folder, Output output) {
        ModelConfig config = folder.config();
        DecoderSpec d = config.decoder();
        DecoderSpec.Dims dims = d.dims();
        ObjectNode json = output.object();
        json.put("path", folder.path().toAbsolutePath().toString());
        json.put("architecture", config.architecture());
        json.put("family", config.family().name());
        json.put("parameters", folder.parameterCount());
        json.put("dtype", folder.dtype());
        json.put("context", dims.maxPositions());
        json.put("layers", dims.layers());
        json.put("hidden_size", dims.hidden());
        json.put("intermediate_size", dims.intermediate());
        json.put("heads", dims.heads());
        json.put("kv_heads", dims.kvHeads());
        json.put("head_dim", dims.headDim());
        json.put("vocab_size", dims.vocab());
        json.put("norm", d.norm().kind().name().toLowerCase(java.util.Locale.ROOT) + " eps=" + d.norm().eps());
        json.put("layout", d.layout().name().toLowerCase(java.util.Locale.ROOT));
        json.put("mlp", (d.mlp().gated() ? "gated " : "plain ") + d.mlp().activation().name().toLowerCase(java.util.Locale.ROOT));
        json.put("attention_scaling", d.attention().scaling());
        json.put("attention_softcap", d.attention().softcap());
        json.put("final_logit_softcap", d.head().softcap());
        json.put("qk_norm", d.attention().qkNorm());
        json.put("tied_embeddings", d.head().tied());
        json.put("embedding_scale", d.embedding().scale());

        output.line(config.architecture() + " (family " + config.family().name() + "), " + folder.parameterCount() + " parameters, "
                + folder.dtype() + ", context " + dims.maxPositions());
        output.line(String.format("  %d layers, hidden %d, intermediate %d, %d heads (%d key/value), head_dim %d, vocab %d",
                dims.layers(), dims.hidden(), dims.intermediate(), dims.heads(), dims.kvHeads(), dims.headDim(), dims.vocab()));
        output.line("  norm " + json.get("norm").asText() + ", layout " + json.get("layout").asText() + ", mlp "
                + json.get("mlp").asText() + (d.attention().qkNorm() ? ", q/k norm" : "") + (d.head().tied() ? ", tied embeddings" : ""));
        output.line(String.format("  attention scaling %.6g%s%s", d.attention().scaling(),
                d.attention().softcap() > 0 ? ", softcap " + d.attention().softcap() : "",
                d.head().softcap() > 0 ? ", final logit softcap " + d.head().softcap() : ""));

        // layers grouped by their attention kind
        Map<String, List<Integer>> kinds = new LinkedHashMap<>();
        for (int layer = 0; layer < dims.layers(); layer++) {
            DecoderSpec.LayerAttention kind = d.layers().get(layer);
            String key = (kind.sliding() ? "sliding window " + d.attention().slidingWindow() : "full attention") + ", rope "
                    + kind.rope().map(rope -> rope.description() + " (rotary dims " + rope.rotaryDim() + ")").orElse("none");
            kinds.computeIfAbsent(key, k -> new ArrayList<>()).add(layer);
        }
        ArrayNode attention = json.putArray("attention");
        for (Map.Entry<String, List<Integer>> kind : kinds.entrySet()) {
            output.line("  layers " + ranges(kind.getValue()) + ": " + kind.getKey());
            ObjectNode entry = attention.addObject().put("kind", kind.getKey());
            kind.getValue().forEach(entry.putArray("layers")::add);
        }

        output.line("  linears compressed per block (group: what feeds it):");
        ArrayNode linears = json.putArray("linears");
        for (LinearSpec linear : d.linears()) {
            output.line(String.format("    %-22s [%d, %d]%s  group %d  after %s", linear.module(), linear.outFeatures(),
                    linear.inFeatures(), linear.bias() ? " +bias" : "", linear.group(), linear.precededBy()));
            linears.addObject().put("name", linear.name()).put("module", linear.module()).put("out_features", linear.outFeatures())
                    .put("in_features", linear.inFeatures()).put("bias", linear.bias()).put("group", linear.group())
                    .put("preceded_by", linear.precededBy());
        }
        List<String> ignored = config.fieldsGiven().stream().filter(field -> !config.fieldsRead().contains(field)).toList();
        config.fieldsRead().forEach(json.putArray("fields_read")::add);
        ignored.forEach(json.putArray("fields_not_read")::add);
        output.line("  config fields read: " + String.join(", ", config.fieldsRead()));
        output.line("  config fields not read: "
                + (ignored.isEmpty() ? "none" : String.join(", ", ignored)));
        servability(folder, json, output);
        return json;
    }

    /** A compressed folder's report says which loaders serve it (compression-service's writer records it). */
    private static void servability(ModelFolder folder, ObjectNode json, Output output) {
        Path report = folder.path().resolve("calibra_compression.json");
        if (!Files.isRegularFile(report)) {
            return;
        }
        JsonNode verdicts;
        try {
            verdicts = new ObjectMapper().readTree(report.toFile()).path("servability");
        } catch (IOException e) {
            throw new UncheckedIOException("calibra_compression.json in " + folder.path() + " is not readable JSON", e);
        }
        if (!verdicts.isArray()) {
            return;   // written before servability was recorded
        }
        json.set("servability", verdicts);
        output.line("  served by (calibra_compression.json):");
        for (JsonNode verdict : verdicts) {
            boolean servable = verdict.path("servable").asBoolean();
            List<String> why = new ArrayList<>();
            verdict.path(servable ? "notes" : "blockers").forEach(reason -> why.add(reason.asText()));
            output.line(String.format("    %-24s %s%s", verdict.path("loader").asText(), servable ? "yes" : "no",
                    why.isEmpty() ? "" : ": " + String.join("; ", why)));
        }
    }

    private static String ranges(List<Integer> layers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            int start = layers.get(i);
            int end = start;
            while (i + 1 < layers.size() && layers.get(i + 1) == end + 1) {
                end = layers.get(++i);
            }
            out.append(out.length() == 0 ? "" : ",").append(start == end ? Integer.toString(start) : start + "-" + end);
        }
        return out.toString();
    }
}
