package dev.calibra.compression.driver;

import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MagnitudeSpec;
import dev.calibra.compression.spec.RunSettings;
import dev.calibra.compression.spec.SpqrSpec;
import dev.calibra.compression.spec.WandaSpec;
import dev.calibra.compression.spec.SparseGptSpec;
import dev.calibra.compression.spec.RtnSpec;
import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.WindowConvention;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every compression method on each family's test model (testvectors/families: random weights with the family's
 * real config and tensor names): the driver runs the family's linears in its groups, the writer names them as
 * the family does, the folder reads back to the same model, and the methods keep their order. Random weights
 * make perplexity a poor judge, so the order is measured as the compressed model's KL divergence from the dense
 * one on held-out text: error-compensating GPTQ and SparseGPT below RTN and magnitude at the same budget. AWQ packs
 * every linear here, so reading its folder back checks the scales folded into each family's norms (Gemma's (1 + w),
 * OPT's LayerNorm bias) and previous linears (OPT's v_proj and fc1 biases, Phi-3's fused gate_up).
 */
class FamilyCompressionTest {

    private static final int SEQ = 32;

    private static Path family(String name) {
        return Path.of(System.getProperty("calibra.root", "..")).resolve("testvectors/families").resolve(name);
    }

    /** TinyStories windows for calibration (first half) and held-out windows (last quarter), in this model's tokens. */
    private record Data(int[][] calibration, int[][] heldOut) {}

    private static Data data(Path folder) throws IOException {
        String text = TextFiles.read(Path.of(System.getProperty("calibra.root", "..")).resolve("assets/corpora/tinystories_valid_first.txt"));
        try (Tokenizer tokenizer = Tokenizer.open(folder.resolve("tokenizer.json"))) {
            int[] stream = tokenizer.encode(text, false);
            Random random = new Random(3);
            int[][] calibration = new int[16][];
            for (int i = 0; i < calibration.length; i++) {
                int start = random.nextInt(stream.length / 2 - SEQ);
                calibration[i] = Arrays.copyOfRange(stream, start, start + SEQ);
            }
            int[][] heldOut = new int[8][];
            for (int i = 0; i < heldOut.length; i++) {
                int start = stream.length * 3 / 4 + i * SEQ;
                heldOut[i] = Arrays.copyOfRange(stream, start, start + SEQ);
            }
            return new Data(calibration, heldOut);
        }
    }

    private static float[] logProbs(CausalLm model, int[][] windows) {
        try (NDManager manager = model.newManager()) {
            int[] flat = Arrays.stream(windows).flatMapToInt(Arrays::stream).toArray();
            NDArray logits = model.forward(manager.create(flat, new Shape(windows.length, SEQ)));
            return logits.logSoftmax(-1).toFloatArray();
        }
    }

    /** Mean KL(dense || compressed) per position. */
    private static double kl(float[] dense, float[] compressed, int vocab) {
        double sum = 0;
        for (int i = 0; i < dense.length; i++) {
            sum += Math.exp(dense[i]) * (dense[i] - compressed[i]);
        }
        return sum / (dense.length / vocab);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3-sharded", "gemma2", "gemma3-text", "phi3-longrope", "opt", "opt-350m-style",
        "mistral-sliding", "llama3.2-v5-tied-bf16"})
    void everyMethod_runsOnTheFamily_writesItsNames_readsBack_andKeepsTheOrder(String name, @TempDir Path out) throws IOException {
        Path folder = family(name);
        Data data = data(folder);
        Map<String, MethodSpec> specs = new LinkedHashMap<>();
        specs.put("gptq 4-bit", GptqSpec.bits(4));
        specs.put("rtn 4-bit", RtnSpec.bits(4));
        specs.put("sparsegpt 50%", SparseGptSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("wanda 50%", WandaSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("magnitude 50%", MagnitudeSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("spqr 3-bit", SpqrSpec.readme());
        specs.put("rtn 4-bit g16", new RtnSpec(4, 16, false, new RunSettings(false, 8)));
        // groups of 16 divide every width here, so AWQ packs every linear and folds its scales into the family's norms
        specs.put("awq 4-bit g16", new AwqSpec(new AwqSettings(4, 16, 20, true), new RunSettings(false, 8)));
        Map<String, Double> divergence = new LinkedHashMap<>();
        Map<String, Double> perplexity = new LinkedHashMap<>();
        float[] dense;
        int vocab;
        try (ModelFolder base = ModelFolder.open(folder); CausalLm model = base.load(Device.cpu())) {
            dense = logProbs(model, data.heldOut());
            vocab = model.vocabSize();
            perplexity.put("dense", perplexity(model, data, base));
        }
        for (Map.Entry<String, MethodSpec> entry : specs.entrySet()) {
            Path written = out.resolve(entry.getKey().replace(' ', '-').replace("%", ""));
            java.nio.file.Files.createDirectories(written);
            float[] inMemory;
            try (ModelFolder base = ModelFolder.open(folder); CausalLm model = base.load(Device.cpu())) {
                List<LayerResult> results = new SequentialDriver(model, entry.getValue().withTrueSequential(true),
                        new DriverListener() {}).run(data.calibration(), ResumeState.FRESH);
                assertEquals(model.numLayers() * model.linears().size(), results.size(), "every linear of every block");
                inMemory = logProbs(model, data.heldOut());
                CompressedModelWriter.write(base, entry.getValue(), results, StorageFormat.AUTO, new ObjectMapper().createObjectNode(),
                        written);
                if (entry.getKey().startsWith("gptq")) {
                    checkGptqModuleNames(written, base);
                }
                if (entry.getKey().startsWith("awq")) {
                    JsonNode awq = new ObjectMapper().readTree(written.resolve("config.json").toFile()).get("quantization_config");
                    assertEquals("awq", awq.get("quant_method").asText(), name);
                    assertEquals(0, awq.get("modules_to_not_convert").size(), name + ": every linear packed " + awq);
                }
            }
            try (ModelFolder loaded = ModelFolder.open(written); CausalLm model = loaded.load(Device.cpu())) {
                float[] readBack = logProbs(model, data.heldOut());
                double drift = kl(inMemory, readBack, vocab);
                assertTrue(drift < 1e-3, name + " " + entry.getKey() + ": the folder reads back to the compressed model (KL " + drift + ")");
                divergence.put(entry.getKey(), kl(dense, readBack, vocab));
                perplexity.put(entry.getKey(), perplexity(model, data, loaded));
            }
        }
        System.out.printf("%s: KL from dense %s, perplexity %s%n", name, divergence, perplexity);
        perplexity.forEach((method, value) -> assertTrue(Double.isFinite(value) && value > 1, name + " " + method + ": " + value));
        assertTrue(divergence.get("gptq 4-bit") < divergence.get("rtn 4-bit"), name + ": GPTQ below RTN " + divergence);
        assertTrue(divergence.get("sparsegpt 50%") < divergence.get("magnitude 50%"), name + ": SparseGPT below magnitude " + divergence);
        assertTrue(divergence.get("gptq 4-bit") < divergence.get("sparsegpt 50%"), name + ": 4-bit below 50% sparsity " + divergence);
        assertTrue(divergence.get("spqr 3-bit") < divergence.get("sparsegpt 50%"), name + ": SpQR below 50% sparsity " + divergence);
    }

    private static double perplexity(CausalLm model, Data data, ModelFolder folder) {
        int[] stream = Arrays.stream(data.heldOut()).flatMapToInt(Arrays::stream).toArray();
        return new Perplexity(model, 4).evaluate(stream, folder.tokenizerFiles().bosId(), SEQ, WindowConvention.GPTQ, 0).perplexity();
    }

    /**
     * GPTQ's modules_in_block_to_quantize and the negative {@code dynamic} patterns name the family's modules under its
     * own prefix, and cover every linear of a block exactly once.
     */
    private static void checkGptqModuleNames(Path written, ModelFolder base) throws IOException {
        JsonNode config = new ObjectMapper().readTree(written.resolve("config.json").toFile());
        JsonNode quantization = config.get("quantization_config");
        if (quantization == null) {
            return;
        }
        java.util.Set<String> packed = new java.util.HashSet<>();
        quantization.get("modules_in_block_to_quantize").forEach(group -> group.forEach(module -> packed.add(module.asText())));
        List<java.util.regex.Pattern> skips = new java.util.ArrayList<>();
        quantization.path("dynamic").fieldNames().forEachRemaining(key -> skips.add(java.util.regex.Pattern.compile(key.substring(2))));
        for (LinearSpec linear : base.config().decoder().linears()) {
            String fullName = base.config().decoder().weightName(1, linear).replaceAll("\\.weight$", "");
            long skipping = skips.stream().filter(skip -> skip.matcher(fullName).lookingAt()).count();
            assertEquals(1, skipping + (packed.contains(linear.module()) ? 1 : 0),
                    fullName + ": packed or skipped, once: " + quantization);
        }
    }
}
