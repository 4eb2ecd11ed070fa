package dev.calibra.compression.output;

import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.compression.spec.GridQuantization;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.BlockWeights;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.QuantizedLayer;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.gptq.GptqBitPacking;
import dev.calibra.model.gptq.GptqConfig;
import dev.calibra.model.gptq.PackedLinear;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a compressed model as a HuggingFace folder: config.json (with a GPTQ {@code quantization_config}
 * when anything is packed), one model.safetensors (pruned and dense-stored weights float32 with their
 * zeros; packed linears as {@code qweight/qzeros/scales/g_idx}; every other tensor copied byte for byte),
 * the base folder's other files (tokenizer) copied, and the report {@value #REPORT_FILE}.
 */
public final class CompressedModelWriter {

    public static final String REPORT_FILE = "calibra_compression.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What was written: packed linears (names inside a block) and the registry dtype. */
    public record Written(List<String> packedLinears, List<String> denseLinears, String dtype) {}

    private CompressedModelWriter() {}

    /** Modules inside a block ("self_attn.q_proj") of the linears whose shape GPTQ cannot pack. */
    public static List<String> unpackableShapes(ModelFolder base) {
        List<String> unpackable = new ArrayList<>();
        for (LinearSpec linear : base.config().decoder().linears()) {
            if (!PackedLinear.packable(linear.outFeatures(), linear.inFeatures())) {
                unpackable.add(linear.module() + " [" + linear.outFeatures() + ", " + linear.inFeatures() + "]");
            }
        }
        return unpackable;
    }

    public static Written write(ModelFolder base, MethodSpec spec, List<LayerResult> results, StorageFormat format,
            ObjectNode report, Path folder) throws IOException {
        return write(base, spec, results, BlockWeights.NONE, format, report, folder);
    }

    /**
     * Writes the folder; each linear's tensors are made while the file is written, from the result's weight
     * or, once released, from {@code released} (the last block read is kept), so the output is never whole in
     * memory.
     */
    public static Written write(ModelFolder base, MethodSpec spec, List<LayerResult> results,
            BlockWeights released, StorageFormat format, ObjectNode report, Path folder) throws IOException {
        DecoderSpec decoder = base.config().decoder();
        Map<String, LayerResult> byWeight = new LinkedHashMap<>();
        for (LayerResult result : results) {
            byWeight.put(decoder.weightName(result.block(), decoder.linear(result.linear())), result);
        }
        GridQuantization grid = spec instanceof GridQuantization g ? g : null;
        Set<String> packed = grid != null && format != StorageFormat.DENSE ? packedLinears(results, format) : Set.of();

        SafetensorsWriter tensors = new SafetensorsWriter().metadata("format", "pt");
        TensorSource checkpoint = base.checkpoint();
        Weights weights = new Weights(released);
        for (String name : checkpoint.tensorNames()) {
            LayerResult result = byWeight.get(name);
            TensorInfo info = checkpoint.info(name);
            if (result == null) {
                tensors.add(name, info.dtype(), info.shape(), checkpoint.rawBytes(name));
            } else if (packed.contains(result.linear())) {
                addPacked(tensors, name.substring(0, name.length() - ".weight".length()), result, weights);
            } else {
                tensors.add(name, Dtype.F32, info.shape(),
                        () -> SafetensorsWriter.littleEndian(weights.of(result).weight()));
            }
        }
        try {
            tensors.write(folder.resolve("model.safetensors"));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }

        List<String> packedNames = new ArrayList<>();
        List<String> denseNames = new ArrayList<>();
        for (LinearSpec linear : decoder.linears()) {
            (packed.contains(linear.name()) ? packedNames : denseNames).add(linear.module());
        }
        ObjectNode config = (ObjectNode) JSON.readTree(base.path().resolve(ModelFolder.CONFIG_JSON).toFile());
        config.remove(GptqConfig.KEY);
        if (!packed.isEmpty()) {
            new GptqConfig(grid.bits(), grid.groupSize(), grid.actOrder(), grid.symmetric(), packedNames, denseNames)
                    .writeTo(config);
        }
        JSON.writeValue(folder.resolve(ModelFolder.CONFIG_JSON).toFile(), config);
        copyOtherFiles(base.path(), folder);
        String dtype = packed.isEmpty() ? "float32" : "gptq-int" + grid.bits();
        report.put("storage_format", format.name().toLowerCase(java.util.Locale.ROOT));
        report.putPOJO("packed_modules", packedNames);
        report.putPOJO("dense_modules", spec.quantization() ? denseNames : List.of());
        JSON.writeValue(folder.resolve(REPORT_FILE).toFile(), report);
        return new Written(packedNames, denseNames, dtype);
    }

    /**
     * The linears (HF names) to pack: a name is packed in every block or in none, so that
     * {@code modules_in_block_to_quantize} describes the folder. GPTQ refuses what it cannot pack.
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

    /**
     * The four GPTQ tensors of one linear; they are adjacent in name order, so the packing made for the first
     * serves the other three.
     */
    private static void addPacked(SafetensorsWriter tensors, String module, LayerResult result, Weights weights) {
        QuantizedLayer grid = (QuantizedLayer) result.layer();
        int rows = grid.rows();
        int columns = grid.columns();
        PackedLinear[] made = new PackedLinear[1];
        java.util.function.Supplier<PackedLinear> linear = () -> {
            if (made[0] == null) {
                made[0] = pack((QuantizedLayer) weights.of(result));
            }
            return made[0];
        };
        int bits = grid.bits();
        int groups = grid.groups();
        tensors.add(module + ".qweight", Dtype.I32, new long[] {GptqBitPacking.wordCount(columns, bits), rows},
                () -> SafetensorsWriter.littleEndian(linear.get().qweight()));
        tensors.add(module + ".qzeros", Dtype.I32, new long[] {groups, GptqBitPacking.wordCount(rows, bits)},
                () -> SafetensorsWriter.littleEndian(linear.get().qzeros()));
        tensors.add(module + ".scales", Dtype.F16, new long[] {groups, rows},
                () -> SafetensorsWriter.littleEndian(linear.get().scalesF16()));
        tensors.add(module + ".g_idx", Dtype.I32, new long[] {columns}, () -> SafetensorsWriter.littleEndian(linear.get().gIdx()));
    }

    private static PackedLinear pack(QuantizedLayer q) {
        int rows = q.rows();
        int columns = q.columns();
        int[] levels = new int[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < columns; j++) {
                int p = q.groupIndex()[j] * rows + r;
                // the integer level of a weight on its grid: round(w / scale) + zero
                levels[r * columns + j] = (int) ((float) Math.rint(q.weight()[r * columns + j] / q.scales()[p]) + q.zeros()[p]);
            }
        }
        int[] zeros = new int[q.zeros().length];
        for (int k = 0; k < zeros.length; k++) {
            zeros[k] = Math.round(q.zeros()[k]);
        }
        return PackedLinear.pack(q.bits(), rows, columns, levels, zeros, q.scales(), q.groupIndex());
    }

    /** A result's layer with its weight: its own, or read back from the released block (one block cached). */
    private static final class Weights {
        private final BlockWeights released;
        private int cachedBlock = -1;
        private Map<String, LayerResult> cached = Map.of();

        Weights(BlockWeights released) {
            this.released = released;
        }

        CompressedLayer of(LayerResult result) {
            if (result.layer().weight() != null) {
                return result.layer();
            }
            if (cachedBlock != result.block()) {
                cached = Map.of();                                   // drop the previous block first
                Map<String, LayerResult> byLinear = new LinkedHashMap<>();
                try {
                    for (LayerResult read : released.read(result.block())) {
                        byLinear.put(read.linear(), read);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                cached = byLinear;
                cachedBlock = result.block();
            }
            LayerResult read = cached.get(result.linear());
            if (read == null || read.layer().weight() == null) {
                throw new IllegalStateException("block " + result.block() + " has no weight for " + result.linear());
            }
            return read.layer();
        }
    }

    /** Tokenizer files, generation config and licences (never other weight formats such as .gguf). */
    private static void copyOtherFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("tokenizer") || name.startsWith("vocab") || name.startsWith("LICENSE")
                        || List.of("special_tokens_map.json", "added_tokens.json", "merges.txt",
                                "generation_config.json").contains(name)) {
                    Files.write(to.resolve(name), Files.readAllBytes(file));   // bytes only, not the read-only mode
                }
            }
        }
    }
}
