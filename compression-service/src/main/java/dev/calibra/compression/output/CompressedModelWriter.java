package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.BlockWeights;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.SpqrLayer;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.GridQuantization;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.compression.spec.SpqrSpec;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.gptq.GptqConfig;
import dev.calibra.model.gptq.PackedLinear;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.safetensors.TensorSource;
import dev.calibra.model.serving.LoaderVerdict;
import dev.calibra.model.serving.Servability;
import dev.calibra.model.serving.ServedForm;
import dev.calibra.model.spqr.SpqrFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes a compressed model as a HuggingFace folder: config.json (with the packing's {@code quantization_config}
 * when anything is packed: GPTQ for gptq/rtn, AWQ GEMM for awq; quantize_config.json beside GPTQ's), one
 * model.safetensors (pruned and dense-stored weights with their zeros, in the base's float dtype unless float32 is
 * asked for; packed linears as their format's tensors; every other tensor copied byte for byte unless the packing
 * changes it), SpQR's compact form in {@code spqr/} beside the dense model, the base
 * folder's other files (tokenizer) copied, and the report {@value #REPORT_FILE}.
 */
public final class CompressedModelWriter {

    public static final String REPORT_FILE = "calibra_compression.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What was written: packed linears (names inside a block), the registry dtype, the loaders' verdicts. */
    public record Written(List<String> packedLinears, List<String> denseLinears, String dtype, List<LoaderVerdict> servability) {}

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

    /** Why format awq cannot store this model's linears with these settings ("mlp.down_proj: ..."), one per linear. */
    public static List<String> unpackableByAwq(ModelFolder base, AwqSpec spec) {
        List<String> unpackable = new ArrayList<>();
        for (LinearSpec linear : base.config().decoder().linears()) {
            String why = AwqPacking.whyNotPackable(spec, linear.outFeatures(), linear.inFeatures());
            if (why != null) {
                unpackable.add(linear.module() + ": " + why);
            }
        }
        return unpackable;
    }

    /**
     * Refuses, before any work, a compression of {@code base} that {@code target}'s loader would not serve with the
     * model's shapes ("target vllm: vllm-auto-gptq would not serve this: ..."); the settings alone were judged by
     * ServingTargets.
     */
    public static void requireServable(ModelFolder base, MethodSpec spec, StorageFormat format, String target) {
        DecoderSpec decoder = base.config().decoder();
        Dtype baseDtype = baseDtype(decoder, base.checkpoint());
        Packing packing = format == StorageFormat.DENSE ? Packing.DENSE
                : format == StorageFormat.COMPRESSED_TENSORS && spec instanceof GridQuantization grid
                        ? new CompressedTensorsPacking(grid, baseDtype, decoder)
                : format == StorageFormat.COMPRESSED_TENSORS && spec instanceof AwqSpec awq
                        ? new CompressedTensorsPacking(awq, null, baseDtype, decoder)
                        : predictedPacking(spec, decoder);
        ServedForm form = servedForm(spec, packing, decoder, base.checkpoint());
        String loader = switch (form.format()) {
            case GPTQ -> Servability.VLLM_AUTO_GPTQ;
            case AWQ -> Servability.VLLM_AWQ_MARLIN;
            case COMPRESSED_TENSORS -> Servability.VLLM_COMPRESSED_TENSORS;
            case DENSE -> "any";
        };
        for (LoaderVerdict verdict : Servability.of(form)) {
            if (verdict.loader().equals(loader) && !verdict.servable()) {
                throw new IllegalArgumentException("target " + target + ": " + loader + " would not serve this: "
                        + String.join("; ", verdict.blockers()));
            }
        }
    }

    /** What the writer will pack, judged from the shapes alone (a symmetric grid never has GPTQ v1's zero point 0). */
    private static Packing predictedPacking(MethodSpec spec, DecoderSpec decoder) {
        Set<String> packed = new LinkedHashSet<>();
        for (LinearSpec linear : decoder.linears()) {
            boolean packable = spec instanceof AwqSpec awq
                    ? AwqPacking.whyNotPackable(awq, linear.outFeatures(), linear.inFeatures()) == null
                    : spec instanceof GridQuantization && PackedLinear.packable(linear.outFeatures(), linear.inFeatures());
            if (packable) {
                packed.add(linear.name());
            }
        }
        return new Packing() {
            @Override
            public Set<String> packed() {
                return packed;
            }
        };
    }

    public static Written write(ModelFolder base, MethodSpec spec, List<LayerResult> results, StorageFormat format,
            ObjectNode report, Path folder) throws IOException {
        return write(base, spec, results, BlockWeights.NONE, format, report, folder);
    }

    /**
     * Writes the folder; each linear's tensors are made while the file is written, from the result's layer or, once
     * released, from {@code released} (the last block read is kept), so the output is never whole in memory.
     */
    public static Written write(ModelFolder base, MethodSpec spec, List<LayerResult> results,
            BlockWeights released, StorageFormat format, ObjectNode report, Path folder) throws IOException {
        return write(base, spec, results, released, format, OutputDtype.BASE, report, folder);
    }

    /** As above, with the plain weights in {@code dtype}. */
    public static Written write(ModelFolder base, MethodSpec spec, List<LayerResult> results, BlockWeights released,
            StorageFormat format, OutputDtype dtype, ObjectNode report, Path folder) throws IOException {
        DecoderSpec decoder = base.config().decoder();
        Map<String, LayerResult> byWeight = new LinkedHashMap<>();
        for (LayerResult result : results) {
            byWeight.put(decoder.weightName(result.block(), decoder.linear(result.linear())), result);
        }
        TensorSource checkpoint = base.checkpoint();
        Packing packing = packing(spec, results, format, decoder, checkpoint);

        SafetensorsWriter tensors = new SafetensorsWriter().metadata("format", "pt");
        TreeSet<String> plainDtypes = new TreeSet<>();
        ReleasedLayers layers = new ReleasedLayers(released);
        for (String name : checkpoint.tensorNames()) {
            LayerResult result = byWeight.get(name);
            TensorInfo info = checkpoint.info(name);
            if (result != null && packing.packed().contains(result.linear())) {
                packing.addPacked(tensors, name.substring(0, name.length() - ".weight".length()), result, layers);
            } else if (result != null) {
                Dtype stored = dtype.of(info.dtype());
                plainDtypes.add(stored.torchName());
                tensors.add(name, stored, info.shape(), () -> OutputDtype.bytes(name, packing.dense(layers.of(result)), stored));
            } else {
                float[] replaced = packing.replaced(name);
                if (replaced != null) {
                    Dtype stored = dtype.of(info.dtype());
                    tensors.add(name, stored, info.shape(), OutputDtype.bytes(name, replaced, stored));
                } else {
                    tensors.add(name, info.dtype(), info.shape(), checkpoint.rawBytes(name));
                }
            }
        }
        writeFile(tensors, folder.resolve("model.safetensors"));
        if (spec instanceof SpqrSpec spqr) {
            writeSpqr(spqr, decoder, results, layers, folder);
        }

        List<String> packedNames = new ArrayList<>();
        List<String> denseNames = new ArrayList<>();
        for (LinearSpec linear : decoder.linears()) {
            (packing.packed().contains(linear.name()) ? packedNames : denseNames).add(linear.module());
        }
        ObjectNode config = (ObjectNode) JSON.readTree(base.path().resolve(ModelFolder.CONFIG_JSON).toFile());
        config.remove(GptqConfig.KEY);
        if (!packing.packed().isEmpty()) {
            List<String> skipped = new ArrayList<>(denseNames);
            skipped.addAll(Servability.denseFusedLayers(decoder.linears(), packing.packed()));
            packing.writeConfig(config, folder, packedNames, skipped, decoder.names().prefix() + "layers.");
        }
        JSON.writeValue(folder.resolve(ModelFolder.CONFIG_JSON).toFile(), config);
        copyOtherFiles(base.path(), folder);
        report.put("storage_format", format.name().toLowerCase(Locale.ROOT));
        report.put("output_dtype", dtype.name().toLowerCase(Locale.ROOT));
        report.putPOJO("packed_modules", packedNames);
        report.putPOJO("dense_modules", spec.quantization() ? denseNames : List.of());
        if (spec instanceof SpqrSpec) {
            report.put("spqr_compact", SpqrFile.FOLDER + "/" + SpqrFile.FILE);
        }
        ArrayNode servability = report.putArray("servability");
        List<LoaderVerdict> verdicts = Servability.of(servedForm(spec, packing, decoder, checkpoint));
        for (LoaderVerdict verdict : verdicts) {
            ObjectNode entry = servability.addObject().put("loader", verdict.loader()).put("servable", verdict.servable());
            entry.putPOJO("blockers", verdict.blockers());
            entry.putPOJO("notes", verdict.notes());
        }
        JSON.writeValue(folder.resolve(REPORT_FILE).toFile(), report);
        // the registry's dtype: the packing's, or what the plain linears were stored in
        String registryDtype = !packing.packed().isEmpty() || plainDtypes.size() != 1 ? packing.dtype() : plainDtypes.first();
        return new Written(packedNames, denseNames, registryDtype, verdicts);
    }

    /** The float dtype of the base checkpoint's weights (its first linear's). */
    private static Dtype baseDtype(DecoderSpec decoder, TensorSource base) {
        return base.info(decoder.weightName(0, decoder.linears().get(0))).dtype();
    }

    /** The folder as serving stacks see it. */
    static ServedForm servedForm(MethodSpec spec, Packing packing, DecoderSpec decoder, TensorSource base) {
        String baseDtype = baseDtype(decoder, base).torchName();
        if (packing instanceof CompressedTensorsPacking ct) {
            GridQuantization grid = ct.grid();
            return new ServedForm(ServedForm.Format.COMPRESSED_TENSORS, grid.bits(), grid.groupSize(), grid.symmetric(),
                    grid.actOrder(), baseDtype, decoder.linears(), packing.packed());
        }
        if (!packing.packed().isEmpty() && spec instanceof GridQuantization grid) {
            return new ServedForm(ServedForm.Format.GPTQ, grid.bits(), grid.groupSize(), grid.symmetric(), grid.actOrder(),
                    baseDtype, decoder.linears(), packing.packed());
        }
        if (!packing.packed().isEmpty() && spec instanceof AwqSpec awq) {
            return new ServedForm(ServedForm.Format.AWQ, awq.settings().bits(), awq.settings().groupSize(), false, false,
                    baseDtype, decoder.linears(), packing.packed());
        }
        return new ServedForm(ServedForm.Format.DENSE, 0, -1, false, false, baseDtype, decoder.linears(), packing.packed());
    }

    /** The method's packing: GPTQ for grid quantizers, AWQ GEMM for AWQ, none for dense or pruned output. */
    private static Packing packing(MethodSpec spec, List<LayerResult> results, StorageFormat format, DecoderSpec decoder,
            TensorSource base) {
        if (format == StorageFormat.DENSE) {
            return Packing.DENSE;
        }
        Dtype baseDtype = baseDtype(decoder, base);
        if (format == StorageFormat.COMPRESSED_TENSORS && spec instanceof GridQuantization grid) {
            return new CompressedTensorsPacking(grid, baseDtype, decoder);
        }
        if (format == StorageFormat.COMPRESSED_TENSORS && spec instanceof AwqSpec awq) {
            return new CompressedTensorsPacking(awq, AwqPacking.foldingAll(awq, results, decoder, base), baseDtype, decoder);
        }
        if (spec instanceof GridQuantization grid) {
            return new GptqPacking(spec, grid, results, format);
        }
        if (spec instanceof AwqSpec awq) {
            return new AwqPacking(awq, results, format, decoder, base);
        }
        return Packing.DENSE;
    }

    /** SpQR's compact form of every linear ({@link SpqrFile}), read back block by block from the checkpoints. */
    private static void writeSpqr(SpqrSpec spec, DecoderSpec decoder, List<LayerResult> results, ReleasedLayers layers,
            Path folder) throws IOException {
        SafetensorsWriter compact = new SafetensorsWriter().metadata("format", "calibra-spqr");
        for (LayerResult result : results) {
            SpqrLayer layer = (SpqrLayer) result.layer();
            String weight = decoder.weightName(result.block(), decoder.linear(result.linear()));
            SpqrFile.Layout layout = new SpqrFile.Layout(layer.rows(), layer.columns(), spec.settings().bits(),
                    spec.settings().groupSize(), spec.settings().qqGroupSize(), layer.outliers());
            SpqrFile.add(compact, weight.substring(0, weight.length() - ".weight".length()), layout,
                    new MadeOnce<>(SpqrFile.TENSORS, () -> ((SpqrLayer) layers.of(result)).compact()));
        }
        Files.createDirectories(folder.resolve(SpqrFile.FOLDER));
        writeFile(compact, SpqrFile.path(folder));
    }

    private static void writeFile(SafetensorsWriter tensors, Path file) throws IOException {
        try {
            tensors.write(file);
        } catch (UncheckedIOException e) {
            throw e.getCause();
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
