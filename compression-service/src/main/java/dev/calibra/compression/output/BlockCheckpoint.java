package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.BlockWeights;
import dev.calibra.compression.driver.DriverListener;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.PrunedLayer;
import dev.calibra.compression.method.QuantizedLayer;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.method.SpqrLayer;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.spqr.SpqrFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One finished block's compressed linears as a safetensors file: {@code <linear>.weight} float32 (exact,
 * so a resumed run is bit-identical), and for quantized layers {@code .scales}, {@code .zeros} float32
 * {@code [groups, rows]} and {@code .g_idx} int32, for AWQ layers {@code .codes} uint8, {@code .scales},
 * {@code .zeros} {@code [rows, groups]} and the {@code .input_scales}, {@code .output_scales} it folds, for SpQR
 * layers the compact form as {@link SpqrFile} lays it out; the metadata key {@code layers} holds each linear's
 * postcondition, error and time as JSON. A job's checkpoint is the set of block files 0..k.
 */
public final class BlockCheckpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BlockCheckpoint() {}

    public static String fileName(int block) {
        return String.format("block-%05d.safetensors", block);
    }

    /** The block number of a checkpoint file name, or -1. */
    public static int blockOf(String fileName) {
        if (!fileName.matches("block-\\d{5}\\.safetensors")) {
            return -1;
        }
        return Integer.parseInt(fileName.substring(6, 11));
    }

    /**
     * A driver listener that writes each finished block to {@code folder} and lets the driver release the
     * block's weights; {@link #readingFrom} reads them back for the writer.
     */
    public static DriverListener writingTo(Path folder) {
        return new DriverListener() {
            @Override
            public void blockDone(int block, List<LayerResult> results) throws IOException {
                write(folder.resolve(fileName(block)), results);
            }

            @Override
            public boolean keepsWeights() {
                return true;
            }
        };
    }

    /** Released weights read back from the checkpoints in {@code folder}, one block at a time. */
    public static BlockWeights readingFrom(Path folder) {
        return block -> read(folder.resolve(fileName(block)));
    }

    public static void write(Path file, List<LayerResult> results) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        ArrayNode layers = JSON.createArrayNode();
        for (LayerResult result : results) {
            CompressedLayer layer = result.layer();
            String name = result.linear();
            writer.addF32(name + ".weight", new long[] {layer.rows(), layer.columns()}, layer.weight());
            ObjectNode meta = layers.addObject().put("block", result.block()).put("linear", name)
                    .put("rows", layer.rows()).put("columns", layer.columns()).put("seconds", result.seconds())
                    .put("error", layer.relativeReconstructionError());
            if (layer instanceof QuantizedLayer q) {
                long[] grid = {q.groups(), q.rows()};
                writer.addF32(name + ".scales", grid, q.scales());
                writer.addF32(name + ".zeros", grid, q.zeros());
                writer.addI32(name + ".g_idx", new long[] {q.columns()}, q.groupIndex());
                meta.put("kind", "quantized").put("bits", q.bits()).put("group_size", q.groupSize())
                        .put("max_levels", q.maxLevelsPerGroup());
            } else if (layer instanceof AwqLayer a) {
                writer.add(name + ".codes", Dtype.U8, new long[] {a.rows(), a.columns()}, ByteBuffer.wrap(a.codes()));
                writer.addF32(name + ".scales", new long[] {a.rows(), a.groups()}, a.scales());
                writer.addF32(name + ".zeros", new long[] {a.rows(), a.groups()}, a.zeros());
                writer.addF32(name + ".input_scales", new long[] {a.columns()}, a.inputScales());
                writer.addF32(name + ".output_scales", new long[] {a.rows()}, a.outputScales());
                meta.put("kind", "awq").put("bits", a.bits()).put("group_size", a.groupSize())
                        .put("alpha", a.scaled() ? a.alpha() : null).put("clipped_groups", a.clippedGroups());
            } else if (layer instanceof SpqrLayer s) {
                SpqrFile.add(writer, name, s.compact());
                meta.put("kind", "spqr").put("outliers", s.outliers()).put("average_bits", s.averageBits());
            } else if (layer instanceof PrunedLayer p) {
                meta.put("kind", "pruned").put("zeros", p.zeroCount()).put("sparsity", p.achievedSparsity());
                if (p.pattern() instanceof SparsityPattern.NOfM nm) {
                    meta.put("n", nm.n()).put("m", nm.m());
                } else {
                    meta.put("target", p.pattern().targetSparsity());
                }
            }
        }
        writer.metadata("layers", JSON.writeValueAsString(layers));
        writer.write(file);
    }

    public static List<LayerResult> read(Path file) throws IOException {
        try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
            JsonNode layers = JSON.readTree(tensors.metadata().get("layers"));
            List<LayerResult> results = new ArrayList<>();
            for (JsonNode meta : layers) {
                String name = meta.get("linear").asText();
                int rows = meta.get("rows").asInt();
                int columns = meta.get("columns").asInt();
                float[] weight = tensors.readFloats(name + ".weight");
                double error = meta.get("error").asDouble();
                CompressedLayer layer = switch (meta.get("kind").asText()) {
                    case "quantized" -> new QuantizedLayer(weight, rows, columns, meta.get("bits").asInt(),
                            meta.get("group_size").asInt(), tensors.readFloats(name + ".scales"),
                            tensors.readFloats(name + ".zeros"), ints(tensors, name + ".g_idx"),
                            meta.get("max_levels").asInt(), error);
                    case "awq" -> new AwqLayer(weight, rows, columns, meta.get("bits").asInt(), meta.get("group_size").asInt(),
                            bytes(tensors, name + ".codes"), tensors.readFloats(name + ".scales"),
                            tensors.readFloats(name + ".zeros"), tensors.readFloats(name + ".input_scales"),
                            tensors.readFloats(name + ".output_scales"),
                            meta.get("alpha").isNull() ? Double.NaN : meta.get("alpha").asDouble(),
                            meta.get("clipped_groups").asInt(), error);
                    case "spqr" -> new SpqrLayer(weight, rows, columns, SpqrFile.read(tensors, name),
                            meta.get("outliers").asInt(), meta.get("average_bits").asDouble(), error);
                    case "pruned" -> new PrunedLayer(weight, rows, columns,
                            meta.has("n") ? new SparsityPattern.NOfM(meta.get("n").asInt(), meta.get("m").asInt())
                                    : new SparsityPattern.Unstructured(meta.get("target").asDouble()),
                            meta.get("zeros").asLong(), meta.get("sparsity").asDouble(), error);
                    default -> throw new IllegalArgumentException(file + ": unknown layer kind '" + meta.get("kind").asText() + "'");
                };
                results.add(new LayerResult(meta.get("block").asInt(), name, layer, meta.get("seconds").asDouble()));
            }
            return results;
        }
    }

    private static byte[] bytes(SafetensorsFile tensors, String name) throws IOException {
        ByteBuffer raw = tensors.rawBytes(name);
        byte[] out = new byte[raw.remaining()];
        raw.get(out);
        return out;
    }

    private static int[] ints(SafetensorsFile tensors, String name) throws IOException {
        var buffer = tensors.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] values = new int[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
