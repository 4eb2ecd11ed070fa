package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.QuantizedLayer;
import dev.calibra.compression.spec.GridQuantization;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.model.CalibraVersion;
import dev.calibra.model.gptq.GptqBitPacking;
import dev.calibra.model.gptq.GptqConfig;
import dev.calibra.model.gptq.PackedLinear;
import dev.calibra.model.gptq.QuantizeConfigJson;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** GPTQ v1's packed layout for grid-quantized linears (gptq, rtn): {@code qweight/qzeros/scales/g_idx}. */
final class GptqPacking implements Packing {

    private final MethodSpec spec;
    private final GridQuantization grid;
    private final Set<String> packed;

    GptqPacking(MethodSpec spec, GridQuantization grid, List<LayerResult> results, StorageFormat format) {
        this.spec = spec;
        this.grid = grid;
        this.packed = packedLinears(results, format);
    }

    @Override
    public Set<String> packed() {
        return packed;
    }

    /**
     * The linears to pack: a name is packed in every block or in none, so that {@code modules_in_block_to_quantize}
     * describes the folder. Format gptq refuses what it cannot pack.
     */
    static Set<String> packedLinears(List<LayerResult> results, StorageFormat format) {
        Map<String, String> refusal = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (LayerResult result : results) {
            names.add(result.linear());
            QuantizedLayer q = (QuantizedLayer) result.layer();
            if (!PackedLinear.packable(q.rows(), q.columns())) {
                refusal.putIfAbsent(result.linear(), "shape [" + q.rows() + ", " + q.columns()
                        + "] is not a multiple of 32 in both dimensions");
            } else if (minZero(q) < 1) {
                refusal.putIfAbsent(result.linear(), "block " + result.block() + " has a zero point 0, which GPTQ v1 "
                        + "(zeros stored minus one) cannot store");
            }
        }
        if (format == StorageFormat.GPTQ && !refusal.isEmpty()) {
            Map.Entry<String, String> first = refusal.entrySet().iterator().next();
            throw new IllegalArgumentException("format: gptq cannot pack " + first.getKey() + ": " + first.getValue()
                    + "; use format auto (packs what it can) or dense");
        }
        names.removeAll(refusal.keySet());
        return names;
    }

    private static float minZero(QuantizedLayer q) {
        float min = Float.MAX_VALUE;
        for (float zero : q.zeros()) {
            min = Math.min(min, zero);
        }
        return min;
    }

    /** The four tensors are adjacent in name order: the packing made for the first serves the other three. */
    @Override
    public void addPacked(SafetensorsWriter tensors, String module, LayerResult result, ReleasedLayers layers) {
        QuantizedLayer shape = (QuantizedLayer) result.layer();
        int rows = shape.rows();
        int columns = shape.columns();
        Supplier<PackedLinear> linear = new MadeOnce<>(4, () -> pack((QuantizedLayer) layers.of(result)));
        int bits = shape.bits();
        int groups = shape.groups();
        tensors.add(module + ".qweight", Dtype.I32, new long[] {GptqBitPacking.wordCount(columns, bits), rows},
                () -> SafetensorsWriter.littleEndian(linear.get().qweight()));
        tensors.add(module + ".qzeros", Dtype.I32, new long[] {groups, GptqBitPacking.wordCount(rows, bits)},
                () -> SafetensorsWriter.littleEndian(linear.get().qzeros()));
        tensors.add(module + ".scales", Dtype.F16, new long[] {groups, rows},
                () -> SafetensorsWriter.littleEndian(linear.get().scalesF16()));
        tensors.add(module + ".g_idx", Dtype.I32, new long[] {columns}, () -> SafetensorsWriter.littleEndian(linear.get().gIdx()));
    }

    private static PackedLinear pack(QuantizedLayer q) {
        int[] zeros = new int[q.zeros().length];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = Math.round(q.zeros()[k]);
        }
        return PackedLinear.pack(q.bits(), q.rows(), q.columns(), q.levels(), zeros, q.scales(), q.groupIndex());
    }

    @Override
    public void writeConfig(ObjectNode config, Path folder, List<String> packedModules, List<String> denseModules,
            String blocksPrefix) throws IOException {
        GptqConfig gptq = GptqConfig.of(grid.bits(), grid.groupSize(), grid.actOrder(), grid.symmetric(), packedModules,
                blocksPrefix, denseModules);
        gptq.writeTo(config);
        new QuantizeConfigJson(gptq, CalibraVersion.quantizer(), spec.name(), grid.dampPercent(), spec.run().trueSequential())
                .write(folder);
    }

    @Override
    public String dtype() {
        return "gptq-int" + grid.bits();
    }
}
