package dev.calibra.compression.driver;

import dev.calibra.compression.spec.MagnitudeSpec;
import dev.calibra.compression.spec.WandaSpec;
import dev.calibra.compression.spec.SparseGptSpec;
import dev.calibra.compression.spec.RtnSpec;
import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.WindowConvention;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GPTQ / SparseGPT / Wanda papers' orderings on stories260K, 64 x 256 TinyStories calibration
 * tokens, perplexity on disjoint held-out TinyStories text (GPTQ convention, 256-token windows).
 */
class LiteratureOrderingTest {

    private static final int EVAL_TOKENS = 256 * 32;
    private static TinyStoriesCalibration data;

    @BeforeAll
    static void drawCalibration() throws IOException {
        data = TinyStoriesCalibration.draw(64, 256, 0);
    }

    static double perplexity(MethodSpec spec) throws IOException {
        try (ModelFolder folder = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = folder.load(Device.cpu())) {
            if (spec != null) {
                new SequentialDriver(model, spec, new DriverListener() {}).run(data.samples(), ResumeState.FRESH);
            }
            return new Perplexity(model, 8).evaluate(data.heldOut(), data.bosId(), 256, WindowConvention.GPTQ,
                    EVAL_TOKENS).perplexity();
        }
    }

    @Test
    void perplexity_ordersMethodsAsTheLiteratureSays() throws IOException {
        Map<String, Double> table = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, MethodSpec> specs = new LinkedHashMap<>();
        specs.put("dense", null);
        specs.put("gptq 4-bit", GptqSpec.bits(4));
        specs.put("gptq 3-bit", GptqSpec.bits(3));
        specs.put("rtn 3-bit", RtnSpec.bits(3));
        specs.put("sparsegpt 50%", SparseGptSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("wanda 50%", WandaSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("magnitude 50%", MagnitudeSpec.of(new SparsityPattern.Unstructured(0.5)));
        for (Map.Entry<String, MethodSpec> entry : specs.entrySet()) {
            long start = System.nanoTime();
            table.put(entry.getKey(), perplexity(entry.getValue()));
            seconds.put(entry.getKey(), (System.nanoTime() - start) / 1e9);
        }
        System.out.println("| model (stories260K, 64 x 256 TinyStories) | held-out perplexity | seconds (compress + eval) |");
        System.out.println("|---|---|---|");
        table.forEach((name, ppl) -> System.out.printf("| %s | %.3f | %.2f |%n", name, ppl, seconds.get(name)));

        double dense = table.get("dense");
        assertTrue(table.get("gptq 3-bit") < 0.9 * table.get("rtn 3-bit"), "GPTQ 3-bit clearly below RTN 3-bit: " + table);
        assertTrue(table.get("sparsegpt 50%") < 0.9 * table.get("magnitude 50%"), "SparseGPT below magnitude: " + table);
        assertTrue(table.get("wanda 50%") < 0.9 * table.get("magnitude 50%"), "Wanda below magnitude: " + table);
        assertTrue(table.get("gptq 4-bit") < 1.15 * dense, "GPTQ 4-bit within 15% of dense: " + table);
        assertTrue(table.get("gptq 4-bit") > dense * 0.98, "compression should not improve a model much: " + table);
    }
}
