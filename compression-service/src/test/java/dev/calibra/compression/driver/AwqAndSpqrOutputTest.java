package dev.calibra.compression.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.compression.method.AwqLayer;
import dev.calibra.compression.method.AwqQuantizer;
import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.method.SpqrLayer;
import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.compression.spec.RunSettings;
import dev.calibra.compression.spec.SpqrSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.safetensors.HalfFloats;
import dev.calibra.model.safetensors.SafetensorsCheckpoint;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.WindowConvention;
import dev.calibra.model.spqr.SpqrFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWQ's and SpQR's folders on stories260K, read back through model-core: AWQ packed in AutoAWQ's GEMM layout with its
 * scales folded into the norms, or dense; SpQR's dense model with its compact form beside it.
 */
class AwqAndSpqrOutputTest {

    private static final String Q = "model.layers.0.self_attn.q_proj";
    private static TinyStoriesCalibration data;

    @BeforeAll
    static void draw() throws IOException {
        data = TinyStoriesCalibration.draw(16, 128, 4);
    }

    private record Compressed(List<LayerResult> results, double perplexity) {}

    private static Compressed compressAndWrite(MethodSpec spec, StorageFormat format, Path out) throws IOException {
        try (ModelFolder base = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = base.load(Device.cpu())) {
            List<LayerResult> results = new SequentialDriver(model, spec, new DriverListener() {}).run(data.samples(),
                    ResumeState.FRESH);
            double ppl = perplexity(model);
            CompressedModelWriter.write(base, spec, results, format, new ObjectMapper().createObjectNode(), out);
            return new Compressed(results, ppl);
        }
    }

    private static double perplexity(CausalLm model) {
        return new Perplexity(model, 8).evaluate(data.heldOut(), data.bosId(), 128, WindowConvention.GPTQ, 128 * 16)
                .perplexity();
    }

    private static AwqSpec awq(int bits, int groupSize) {
        return new AwqSpec(new AwqSettings(bits, groupSize, 20, true), new RunSettings(false, 8));
    }

    /**
     * One AWQ result in compressed-tensors form: every linear packed (the 172-wide MLP too) in AWQ's scaled
     * coordinates, decoding bit for bit to the codes' weights (float32 scales like the base), the same folded norms
     * as AutoAWQ's layout, and the same model when read back.
     */
    @Test
    void awq4g32_asCompressedTensors_packsEveryLinear_withTheGemmFoldersNorms(@TempDir Path out) throws IOException {
        java.nio.file.Path ct = java.nio.file.Files.createDirectories(out.resolve("ct"));
        java.nio.file.Path gemm = java.nio.file.Files.createDirectories(out.resolve("gemm"));
        Compressed compressed = compressAndWrite(awq(4, 32), StorageFormat.COMPRESSED_TENSORS, ct);
        try (ModelFolder base = ModelFolder.open(TinyStoriesCalibration.stories260K())) {
            CompressedModelWriter.write(base, awq(4, 32), compressed.results(), StorageFormat.AUTO,
                    new ObjectMapper().createObjectNode(), gemm);
        }
        JsonNode q = new ObjectMapper().readTree(ct.resolve("config.json").toFile()).get("quantization_config");
        assertEquals("compressed-tensors", q.get("quant_method").asText());
        assertEquals(false, q.at("/config_groups/group_0/weights/symmetric").asBoolean());
        try (ModelFolder a = ModelFolder.open(ct); ModelFolder b = ModelFolder.open(gemm);
                CausalLm fromCt = a.load(Device.cpu()); CausalLm fromGemm = b.load(Device.cpu())) {
            dev.calibra.model.decoder.DecoderSpec decoder = a.config().decoder();
            for (LayerResult result : compressed.results()) {
                String weight = decoder.weightName(result.block(), decoder.linear(result.linear()));
                assertArrayEquals(((AwqLayer) result.layer()).scaledWeight(), a.checkpoint().readFloats(weight), weight);
            }
            for (String name : b.checkpoint().tensorNames()) {
                if (name.contains("norm")) {
                    assertArrayEquals(b.checkpoint().readFloats(name), a.checkpoint().readFloats(name), name + " folded alike");
                }
            }
            assertEquals(perplexity(fromGemm), perplexity(fromCt), perplexity(fromGemm) * 0.01);
        }
    }

    @Test
    void awq4g32Auto_packsAttentionInGemmLayout_foldsScalesIntoNorms_andReadsBack(@TempDir Path out) throws IOException {
        Compressed compressed = compressAndWrite(awq(4, 32), StorageFormat.AUTO, out);

        JsonNode q = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("quantization_config");
        assertEquals("awq", q.get("quant_method").asText());
        assertEquals("gemm", q.get("version").asText());
        assertEquals(32, q.get("group_size").asInt());
        assertTrue(q.get("zero_point").asBoolean());
        // gate/up have 172 rows (not a multiple of 8), down 172 columns (not a multiple of 32): stored dense; vLLM
        // matches these names as substrings of its fused gate_up_proj, so that name is listed too
        assertEquals("[\"mlp.gate_proj\",\"mlp.up_proj\",\"mlp.down_proj\",\"mlp.gate_up_proj\"]",
                q.get("modules_to_not_convert").toString());
        try (SafetensorsFile file = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertArrayEquals(new long[] {64, 64 / 8}, file.info(Q + ".qweight").shape());
            assertArrayEquals(new long[] {2, 64 / 8}, file.info(Q + ".qzeros").shape());
            assertArrayEquals(new long[] {2, 64}, file.info(Q + ".scales").shape());
            assertFalse(file.contains(Q + ".weight"));
        }

        try (ModelFolder loaded = ModelFolder.open(out); CausalLm model = loaded.load(Device.cpu());
                SafetensorsCheckpoint base = SafetensorsCheckpoint.open(TinyStoriesCalibration.stories260K())) {
            for (LayerResult result : compressed.results()) {
                AwqLayer layer = (AwqLayer) result.layer();
                String module = loaded.config().decoder().weightName(result.block(),
                        loaded.config().decoder().linear(result.linear()));
                float[] read = loaded.checkpoint().readFloats(module);
                boolean packed = List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(result.linear());
                float[] expected = packed ? withFloat16Scales(layer) : layer.scaledWeight();
                assertArrayEquals(expected, read, result.block() + " " + result.linear());
            }
            // every block's two norms carry 1/s of the group they feed (v -> o is not scaled: 4 kv heads, 8 heads)
            for (LayerResult result : compressed.results()) {
                AwqLayer layer = (AwqLayer) result.layer();
                String norm = switch (result.linear()) {
                    case "q_proj" -> "input_layernorm";
                    case "gate_proj" -> "post_attention_layernorm";
                    default -> null;
                };
                if (result.linear().equals("o_proj")) {
                    assertFalse(layer.scaled(), "v_proj gives 32 channels to o_proj, which reads 64");
                }
                if (norm == null) {
                    continue;
                }
                assertTrue(layer.scaled(), result.linear());
                String name = "model.layers." + result.block() + "." + norm + ".weight";
                float[] original = base.readFloats(name);
                float[] folded = loaded.checkpoint().readFloats(name);
                for (int c = 0; c < original.length; c++) {
                    assertEquals(original[c] / layer.inputScales()[c], folded[c], 0f, name + " [" + c + "]");
                }
            }
            // the packed model computes what the compressed one did, up to float16 scales
            assertEquals(compressed.perplexity(), perplexity(model), compressed.perplexity() * 0.01);
        }
    }

    /** {@code (code - zero) * scale} with the scale rounded to float16, as the GEMM layout stores it. */
    private static float[] withFloat16Scales(AwqLayer layer) {
        float[] out = new float[layer.rows() * layer.columns()];
        int groups = layer.groups();
        for (int r = 0; r < layer.rows(); r++) {
            for (int c = 0; c < layer.columns(); c++) {
                int p = r * groups + c / layer.groupSize();
                float scale = HalfFloats.f16ToFloat(HalfFloats.floatToF16(layer.scales()[p]));
                out[r * layer.columns() + c] = ((layer.codes()[r * layer.columns() + c] & 0xff) - layer.zeros()[p]) * scale;
            }
        }
        return out;
    }

    @Test
    void awqDense_keepsTheNorms_andStoresEffectiveWeights(@TempDir Path out) throws IOException {
        Compressed compressed = compressAndWrite(awq(3, 128), StorageFormat.AUTO, out);
        assertFalse(new ObjectMapper().readTree(out.resolve("config.json").toFile()).has("quantization_config"),
                "3-bit and 128-wide groups on 64 columns: nothing to pack");
        try (ModelFolder loaded = ModelFolder.open(out); CausalLm model = loaded.load(Device.cpu());
                SafetensorsCheckpoint base = SafetensorsCheckpoint.open(TinyStoriesCalibration.stories260K())) {
            String norm = "model.layers.2.input_layernorm.weight";
            assertArrayEquals(base.readFloats(norm), loaded.checkpoint().readFloats(norm));
            LayerResult down = compressed.results().get(compressed.results().size() - 1);
            assertArrayEquals(down.layer().weight(), loaded.checkpoint().readFloats("model.layers.4.mlp.down_proj.weight"));
            assertEquals(compressed.perplexity(), perplexity(model), 1e-9 * compressed.perplexity());
        }
        // each weight is its row-group's grid value over s; 128-wide groups over 172 columns leave a 44-wide last group
        AwqLayer down = (AwqLayer) compressed.results().get(compressed.results().size() - 1).layer();
        assertEquals(2, AwqQuantizer.groups(172, 128));
        assertEquals(2 * 64, down.scales().length);
    }

    @Test
    void awqFormat_refusesWhatTheGemmLayoutCannotHold_namingTheField(@TempDir Path out) throws IOException {
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> compressAndWrite(awq(4, 128), StorageFormat.AWQ, out));
        assertTrue(groups.getMessage().contains("group_size 128 does not divide the 64 input columns"), groups.getMessage());
        try (ModelFolder base = ModelFolder.open(TinyStoriesCalibration.stories260K())) {
            List<String> why = CompressedModelWriter.unpackableByAwq(base, awq(3, 32));
            assertTrue(why.get(0).contains("bits: AWQ GEMM stores 4-bit weights, got 3"), why.toString());
            assertEquals(List.of("mlp.gate_proj: 172 output rows are not a multiple of 8 (AWQ GEMM packs 8 outputs per int32)",
                    "mlp.up_proj: 172 output rows are not a multiple of 8 (AWQ GEMM packs 8 outputs per int32)",
                    "mlp.down_proj: group_size 32 does not divide the 172 input columns"),
                    CompressedModelWriter.unpackableByAwq(base, awq(4, 32)));
        }
    }

    @Test
    void spqr_writesTheDenseModel_andACompactFormThatReadsBackToTheSameWeights(@TempDir Path out) throws IOException {
        Compressed compressed = compressAndWrite(SpqrSpec.readme(), StorageFormat.AUTO, out);
        assertFalse(new ObjectMapper().readTree(out.resolve("config.json").toFile()).has("quantization_config"));
        try (ModelFolder loaded = ModelFolder.open(out); SafetensorsFile compact = SafetensorsFile.open(SpqrFile.path(out))) {
            int outliers = 0;
            for (LayerResult result : compressed.results()) {
                String weight = loaded.config().decoder().weightName(result.block(), loaded.config().decoder().linear(result.linear()));
                float[] dense = loaded.checkpoint().readFloats(weight);
                assertArrayEquals(result.layer().weight(), dense, weight);
                var linear = SpqrFile.read(compact, weight.substring(0, weight.length() - ".weight".length()));
                assertArrayEquals(dense, linear.dequantize(), weight + ": compact form");
                outliers += linear.outliers();
                assertEquals(((SpqrLayer) result.layer()).outliers(), linear.outliers());
            }
            assertTrue(outliers > 0, "the README recipe's threshold finds outliers in stories260K");
        }
    }
}
