package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.AwqGroups;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.model.awq.AwqConfig;
import dev.calibra.model.awq.AwqPackedLinear;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.DecoderSpec.NormKind;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * AutoAWQ's GEMM layout ({@link AwqPackedLinear}) for AWQ results, as transformers and vLLM load it. A packed folder
 * is in AWQ's scaled coordinates: each packed linear holds the codes of {@code W s}, each scaled norm is divided by
 * its group's s (Gemma's (1 + w) norm: {@code (1 + w) / s - 1}; LayerNorm: weight and bias), a previous linear's
 * bias by the s folded into its rows, and linears stored dense hold {@code (code - zero) * scale} in those
 * coordinates. When nothing can be packed the folder keeps the base model's norms and every linear's effective
 * weight ({@link Packing#DENSE}'s form).
 */
final class AwqPacking implements Packing {

    private final AwqSpec spec;
    private final Set<String> packed;
    private final Map<String, Supplier<float[]>> folded = new HashMap<>();

    AwqPacking(AwqSpec spec, List<LayerResult> results, StorageFormat format, DecoderSpec decoder, TensorSource base) {
        this.spec = spec;
        this.packed = packedLinears(spec, results, format);
        if (!packed.isEmpty()) {
            foldScales(results, decoder, base);
        }
    }

    /**
     * The scales folded into the norms and biases for a layout that packs every linear (compressed-tensors), which
     * then reads {@link #replaced} from here.
     */
    static AwqPacking foldingAll(AwqSpec spec, List<LayerResult> results, DecoderSpec decoder, TensorSource base) {
        return new AwqPacking(spec, results, decoder, base);
    }

    private AwqPacking(AwqSpec spec, List<LayerResult> results, DecoderSpec decoder, TensorSource base) {
        this.spec = spec;
        this.packed = new LinkedHashSet<>();
        decoder.linears().forEach(linear -> packed.add(linear.name()));
        foldScales(results, decoder, base);
    }

    /** Why a linear of this shape cannot be packed with these settings, or null. */
    static String whyNotPackable(AwqSpec spec, int rows, int columns) {
        if (spec.settings().bits() != AwqPackedLinear.BITS) {
            return "bits: AWQ GEMM stores 4-bit weights, got " + spec.settings().bits();
        }
        return AwqPackedLinear.whyNotPackable(rows, columns, spec.settings().groupSize());
    }

    /** A name is packed in every block or in none; format awq refuses what it cannot pack. */
    private static Set<String> packedLinears(AwqSpec spec, List<LayerResult> results, StorageFormat format) {
        Map<String, String> refusal = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (LayerResult result : results) {
            names.add(result.linear());
            String why = whyNotPackable(spec, result.layer().rows(), result.layer().columns());
            if (why != null) {
                refusal.putIfAbsent(result.linear(), why);
            }
        }
        if (format == StorageFormat.AWQ && !refusal.isEmpty()) {
            Map.Entry<String, String> first = refusal.entrySet().iterator().next();
            throw new IllegalArgumentException("format: awq cannot pack " + first.getKey() + ": " + first.getValue()
                    + "; use format auto (packs what it can) or dense");
        }
        names.removeAll(refusal.keySet());
        return names;
    }

    /** The norms and biases that absorb 1/s, per block, computed from the base tensors when written. */
    private void foldScales(List<LayerResult> results, DecoderSpec decoder, TensorSource base) {
        Map<Integer, Map<String, AwqLayer>> byBlock = new HashMap<>();
        for (LayerResult result : results) {
            byBlock.computeIfAbsent(result.block(), block -> new HashMap<>()).put(result.linear(), (AwqLayer) result.layer());
        }
        NormKind norm = decoder.norm().kind();
        for (Map.Entry<Integer, Map<String, AwqLayer>> block : byBlock.entrySet()) {
            int b = block.getKey();
            for (AwqGroups.Group group : AwqGroups.of(decoder)) {
                AwqLayer first = block.getValue().get(group.linears().get(0).name());
                if (first == null || !first.scaled()) {
                    continue;
                }
                float[] s = first.inputScales();
                if (group.previous().isEmpty()) {
                    String weight = decoder.names().block(b, group.precededBy() + ".weight");
                    folded.put(weight, () -> divide(read(base, weight), s, norm == NormKind.RMS_ONE_PLUS));
                    if (norm == NormKind.LAYER_NORM) {
                        String bias = decoder.names().block(b, group.precededBy() + ".bias");
                        folded.put(bias, () -> divide(read(base, bias), s, false));
                    }
                } else {
                    LinearSpec previous = group.previous().get();
                    AwqLayer before = block.getValue().get(previous.name());
                    if (previous.bias() && before != null) {
                        String bias = decoder.biasName(b, previous);
                        folded.put(bias, () -> divide(read(base, bias), before.outputScales(), false));
                    }
                }
            }
        }
    }

    private static float[] read(TensorSource base, String name) {
        try {
            return base.readFloats(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code v / s} elementwise, or {@code (1 + v) / s - 1} for a norm that multiplies by (1 + weight). */
    private static float[] divide(float[] values, float[] s, boolean onePlus) {
        if (values.length != s.length) {
            throw new IllegalStateException("cannot fold " + s.length + " scales into a tensor of " + values.length);
        }
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = onePlus ? (1 + values[i]) / s[i] - 1 : values[i] / s[i];
        }
        return out;
    }

    @Override
    public Set<String> packed() {
        return packed;
    }

    @Override
    public void addPacked(SafetensorsWriter tensors, String module, LayerResult result, ReleasedLayers layers) {
        int rows = result.layer().rows();
        int columns = result.layer().columns();
        int groupSize = spec.settings().groupSize();
        Supplier<AwqPackedLinear> linear = new MadeOnce<>(3, () -> {
            AwqLayer layer = (AwqLayer) layers.of(result);
            return AwqPackedLinear.pack(rows, columns, groupSize, layer.codes(), layer.zeros(), layer.scales());
        });
        int words = rows / AwqPackedLinear.PACK;
        int groups = columns / groupSize;
        tensors.add(module + ".qweight", Dtype.I32, new long[] {columns, words},
                () -> SafetensorsWriter.littleEndian(linear.get().qweight()));
        tensors.add(module + ".qzeros", Dtype.I32, new long[] {groups, words},
                () -> SafetensorsWriter.littleEndian(linear.get().qzeros()));
        tensors.add(module + ".scales", Dtype.F16, new long[] {groups, rows},
                () -> SafetensorsWriter.littleEndian(linear.get().scalesF16()));
    }

    @Override
    public float[] dense(CompressedLayer layer) {
        return packed.isEmpty() ? layer.weight() : ((AwqLayer) layer).scaledWeight();
    }

    @Override
    public float[] replaced(String tensor) {
        Supplier<float[]> values = folded.get(tensor);
        return values == null ? null : values.get();
    }

    @Override
    public void writeConfig(ObjectNode config, Path folder, List<String> packedModules, List<String> denseModules,
            String blocksPrefix) {
        new AwqConfig(spec.settings().groupSize(), denseModules).writeTo(config);
    }

    @Override
    public String dtype() {
        return packed.isEmpty() ? "float32" : "awq-int4";
    }
}
