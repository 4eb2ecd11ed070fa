package dev.calibra.compression.driver;

import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.RunSettings;
import dev.calibra.compression.spec.SpqrSpec;
import dev.calibra.compression.spec.WandaSpec;
import dev.calibra.compression.spec.SparseGptSpec;
import dev.calibra.compression.spec.RtnSpec;
import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.output.BlockCheckpoint;
import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.decoder.DecoderModel;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.WindowConvention;
import dev.calibra.model.spqr.SpqrFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compress stories260K, write the folder, load it back through model-core, compare. */
class CompressedFolderRoundTripTest {

    private static TinyStoriesCalibration data;

    @BeforeAll
    static void draw() throws IOException {
        data = TinyStoriesCalibration.draw(16, 128, 2);
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
        return new Perplexity(model, 8).evaluate(data.heldOut(), data.bosId(), 256, WindowConvention.GPTQ, 256 * 8)
                .perplexity();
    }

    @Test
    void gptq4Auto_packsAttention_storesThe172WideMlpDense_andLoadsBack(@TempDir Path out) throws IOException {
        Compressed compressed = compressAndWrite(GptqSpec.bits(4), StorageFormat.AUTO, out);

        JsonNode q = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("quantization_config");
        assertEquals("gptq", q.get("quant_method").asText());
        assertEquals(4, q.get("bits").asInt());
        assertEquals("[[\"self_attn.q_proj\",\"self_attn.k_proj\",\"self_attn.v_proj\",\"self_attn.o_proj\"]]",
                q.get("modules_in_block_to_quantize").toString());
        // the MLP's linears, left dense, as the negative `dynamic` entries vLLM and GPTQModel read
        List<String> skipped = new java.util.ArrayList<>();
        q.get("dynamic").fieldNames().forEachRemaining(skipped::add);
        assertEquals(List.of("-:model\\.layers\\.\\d+\\.mlp\\.gate_proj$", "-:model\\.layers\\.\\d+\\.mlp\\.up_proj$",
                "-:model\\.layers\\.\\d+\\.mlp\\.down_proj$", "-:model\\.layers\\.\\d+\\.mlp\\.gate_up_proj$"), skipped);
        // vLLM fuses gate and up into gate_up_proj and matches that name
        for (String key : skipped.subList(0, 3)) {
            java.util.regex.Pattern regex = java.util.regex.Pattern.compile(key.substring(2));
            assertEquals(0, q.get("dynamic").get(key).size(), key + ": a skip carries no overrides");
            String module = key.substring(key.lastIndexOf("mlp"), key.length() - 1).replace("\\", "");
            assertTrue(regex.matcher("model.layers.4." + module).lookingAt(), key + " skips " + module + " in block 4");
            assertFalse(regex.matcher("model.layers.4." + module + "_x").lookingAt(), key + " matches only its module");
            assertFalse(regex.matcher("model.layers.4.self_attn.q_proj").lookingAt(), key + " leaves attention packed");
        }
        assertFalse(q.has("calibra_dense_modules"), "no Calibra-only key: " + q);

        // quantize_config.json beside it, as AutoGPTQ and GPTQModel save it
        JsonNode quantize = new ObjectMapper().readTree(out.resolve("quantize_config.json").toFile());
        assertEquals(4, quantize.get("bits").asInt());
        assertEquals(-1, quantize.get("group_size").asInt());
        assertFalse(quantize.get("desc_act").asBoolean());
        assertFalse(quantize.get("sym").asBoolean());
        assertEquals("gptq", quantize.get("checkpoint_format").asText());
        assertEquals(0.01, quantize.get("damp_percent").asDouble());
        assertFalse(quantize.get("true_sequential").asBoolean());
        assertFalse(quantize.get("static_groups").asBoolean());
        assertEquals(q.get("dynamic"), quantize.get("dynamic"));
        assertTrue(quantize.get("meta").get("quantizer").get(0).asText().matches("calibra:\\d+\\.\\d+\\.\\d+.*"),
                quantize.toString());
        assertEquals("gptq", quantize.get("meta").get("method").asText());
        assertTrue(Files.exists(out.resolve("tokenizer.json")));
        assertFalse(Files.exists(out.resolve("stories260K.gguf")));

        try (ModelFolder loaded = ModelFolder.open(out); CausalLm model = loaded.load(Device.cpu())) {
            assertTrue(loaded.checkpoint().contains("model.layers.0.self_attn.q_proj.weight"));
            try (var scratch = model.newManager()) {
                for (LayerResult result : compressed.results()) {
                    float[] expected = result.layer().weight();
                    float[] actual = model.linearWeight(result.block(), result.linear(), scratch).toFloatArray();
                    for (int k = 0; k < expected.length; k++) {
                        // packed scales are float16: relative error at most 2^-11
                        assertEquals(expected[k], actual[k], Math.abs(expected[k]) * 1e-3 + 1e-7,
                                result.block() + " " + result.linear() + " [" + k + "]");
                    }
                }
            }
            assertEquals(compressed.perplexity(), perplexity(model), compressed.perplexity() * 0.01);
        }
    }

    /**
     * One GPTQ result written three ways: compressed-tensors (every linear packed, float32 scales like the float32
     * base) decodes to the dense output's weights bit for bit; GPTQ's format to the same within its float16 scales
     * (exactly where it stores the 172-wide MLP dense).
     */
    @Test
    void gptq4_writtenAsCompressedTensorsGptqAndDense_decodesToTheSameWeights(@TempDir Path out) throws IOException {
        MethodSpec spec = new GptqSpec(new dev.calibra.compression.method.GptqSettings(4, 32, false, true, 0.01, 128),
                new RunSettings(false, 8));
        Compressed compressed = compressAndWrite(spec, StorageFormat.COMPRESSED_TENSORS, Files.createDirectories(out.resolve("ct")));
        JsonNode ct = new ObjectMapper().readTree(out.resolve("ct/config.json").toFile()).get("quantization_config");
        assertEquals("compressed-tensors", ct.get("quant_method").asText());
        assertEquals("pack-quantized", ct.get("format").asText());
        assertEquals("group", ct.at("/config_groups/group_0/weights/actorder").asText(), "act-order in groups: weight_g_idx");
        try (ModelFolder base = ModelFolder.open(TinyStoriesCalibration.stories260K())) {
            // the same results, written again in the other two formats
            CompressedModelWriter.write(base, spec, compressed.results(), StorageFormat.AUTO, new ObjectMapper().createObjectNode(),
                    Files.createDirectories(out.resolve("gptq")));
            CompressedModelWriter.write(base, spec, compressed.results(), StorageFormat.DENSE, new ObjectMapper().createObjectNode(),
                    Files.createDirectories(out.resolve("dense")));
        }
        try (ModelFolder ctFolder = ModelFolder.open(out.resolve("ct")); ModelFolder gptq = ModelFolder.open(out.resolve("gptq"));
                ModelFolder dense = ModelFolder.open(out.resolve("dense"))) {
            assertTrue(ctFolder.checkpoint().contains("model.layers.0.mlp.down_proj.weight"), "the 172-wide MLP is packed too");
            for (String name : dense.checkpoint().tensorNames()) {
                if (!name.contains("_proj")) {
                    continue;
                }
                float[] expected = dense.checkpoint().readFloats(name);
                assertArrayEquals(expected, ctFolder.checkpoint().readFloats(name), name);
                float[] packed = gptq.checkpoint().readFloats(name);
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], packed[k], Math.abs(expected[k]) * 1e-3, name + " [" + k + "]");
                }
                if (name.contains("mlp")) {
                    assertArrayEquals(expected, packed, name + " is stored dense in GPTQ's format");
                }
            }
        }
    }

    /**
     * The service's path: each block checkpointed and its weights released, the output written back from the
     * checkpoints. Same bytes as writing from results kept in memory, and no result holds a weight afterwards.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gptq", "sparsegpt", "spqr", "awq"})
    void releasedWeights_writeTheSameFolderFromCheckpoints(String method, @TempDir Path temp) throws IOException {
        MethodSpec spec = switch (method) {
            case "gptq" -> GptqSpec.bits(4);
            case "spqr" -> SpqrSpec.readme();
            case "awq" -> new AwqSpec(new AwqSettings(4, 32, 20, true), new RunSettings(false, 8));   // packs q/k/v/o
            default -> SparseGptSpec.of(new SparsityPattern.NOfM(2, 4));
        };
        Path kept = Files.createDirectories(temp.resolve("kept"));
        compressAndWrite(spec, StorageFormat.AUTO, kept);
        Path released = Files.createDirectories(temp.resolve("released"));
        try (ModelFolder base = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = base.load(Device.cpu())) {
            int arraysBeforeRun = ((DecoderModel) model).openArrayCount();
            List<LayerResult> results = new SequentialDriver(model, spec, BlockCheckpoint.writingTo(temp))
                    .run(data.samples(), ResumeState.FRESH);
            assertTrue(results.stream().allMatch(r -> r.layer().weight() == null), "weights released");
            assertEquals(arraysBeforeRun, ((DecoderModel) model).openArrayCount(), "the model holds no block afterwards");
            CompressedModelWriter.write(base, spec, results, BlockCheckpoint.readingFrom(temp), StorageFormat.AUTO,
                    new ObjectMapper().createObjectNode(), released);
        }
        assertArrayEquals(Files.readAllBytes(kept.resolve("model.safetensors")),
                Files.readAllBytes(released.resolve("model.safetensors")));
        if (method.equals("spqr")) {
            assertArrayEquals(Files.readAllBytes(SpqrFile.path(kept)), Files.readAllBytes(SpqrFile.path(released)));
        }
    }

    @Test
    void gptqFormat_refusesThe172WideMlp_namingIt(@TempDir Path out) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> compressAndWrite(RtnSpec.bits(3), StorageFormat.GPTQ, out));
        assertTrue(e.getMessage().contains("gate_proj") && e.getMessage().contains("172"), e.getMessage());
    }

    @Test
    void wanda2of4_writesDenseWeightsWithZeros_thatLoadBackExactly(@TempDir Path out) throws IOException {
        Compressed compressed = compressAndWrite(
                WandaSpec.of(new SparsityPattern.NOfM(2, 4)), StorageFormat.AUTO, out);
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertFalse(config.has("quantization_config"));
        try (ModelFolder loaded = ModelFolder.open(out); CausalLm model = loaded.load(Device.cpu());
                var scratch = model.newManager()) {
            LayerResult down = compressed.results().get(compressed.results().size() - 1);
            float[] actual = model.linearWeight(down.block(), down.linear(), scratch).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(down.layer().weight(), actual);
            long zeros = 0;
            for (float v : actual) {
                zeros += v == 0f ? 1 : 0;
            }
            assertEquals(0.5, (double) zeros / actual.length, 1e-9);
        }
    }
}
