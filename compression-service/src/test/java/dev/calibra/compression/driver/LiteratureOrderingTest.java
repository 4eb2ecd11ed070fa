package dev.calibra.compression.driver;

import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.method.GptqSettings;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.MagnitudeSpec;
import dev.calibra.compression.spec.RunSettings;
import dev.calibra.compression.spec.SpqrSpec;
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
import java.util.List;
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
        return run(spec).perplexity();
    }

    /** Held-out perplexity after compressing with {@code spec} (none: the dense model), and the results. */
    record Run(double perplexity, List<LayerResult> results) {

        @Override
        public String toString() {
            return String.format("perplexity %.3f, %.3f bits", perplexity, averageBits());
        }

        double averageBits() {
            return weighted(results, r -> r.layer().averageBits());
        }

        double outlierFraction() {
            return weighted(results, r -> r.layer().outlierFraction());
        }

        private static double weighted(List<LayerResult> results, java.util.function.ToDoubleFunction<LayerResult> value) {
            double sum = 0;
            double size = 0;
            for (LayerResult r : results) {
                sum += value.applyAsDouble(r) * r.layer().rows() * r.layer().columns();
                size += (double) r.layer().rows() * r.layer().columns();
            }
            return sum / size;
        }
    }

    static Run run(MethodSpec spec) throws IOException {
        try (ModelFolder folder = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = folder.load(Device.cpu())) {
            List<LayerResult> results = spec == null ? List.of()
                    : new SequentialDriver(model, spec, new DriverListener() {}).run(data.samples(), ResumeState.FRESH);
            return new Run(new Perplexity(model, 8).evaluate(data.heldOut(), data.bosId(), 256, WindowConvention.GPTQ,
                    EVAL_TOKENS).perplexity(), results);
        }
    }

    /**
     * SpQR's and AWQ's papers: SpQR (its README recipe: 3-bit codes in groups of 16, 3-bit statistics, outliers)
     * beats GPTQ at 3 bits; AWQ beats plain rounding at the same bits and group size. Groups of 32: stories260K's
     * linears are 64 and 172 columns wide, so AWQ's default of 128 is one group per row here, where AWQ 4-bit does not
     * beat rounding (printed, not asserted; see the compression-service README).
     */
    @Test
    void spqrAndAwq_beatTheirBaselines() throws IOException {
        Map<String, MethodSpec> specs = new LinkedHashMap<>();
        specs.put("gptq 3-bit", GptqSpec.bits(3));
        specs.put("gptq 3-bit g16", new GptqSpec(new GptqSettings(3, 16, false, false, 0.01, 128), new RunSettings(false, 8)));
        specs.put("spqr 3-bit (README recipe)", SpqrSpec.readme());
        specs.put("rtn 4-bit g32", rtn(4, 32));
        specs.put("awq 4-bit g32", awq(4, 32));
        specs.put("rtn 3-bit g32", rtn(3, 32));
        specs.put("awq 3-bit g32", awq(3, 32));
        specs.put("rtn 4-bit g128", rtn(4, 128));
        specs.put("awq 4-bit g128", awq(4, 128));
        Map<String, Run> table = new LinkedHashMap<>();
        System.out.println("| model (stories260K, 64 x 256 TinyStories) | held-out perplexity | average bits | outliers | seconds |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, MethodSpec> entry : specs.entrySet()) {
            long start = System.nanoTime();
            Run run = run(entry.getValue());
            table.put(entry.getKey(), run);
            System.out.printf("| %s | %.3f | %.3f | %.3f%% | %.2f |%n", entry.getKey(), run.perplexity(), run.averageBits(),
                    100 * run.outlierFraction(), (System.nanoTime() - start) / 1e9);
        }
        Run spqr = table.get("spqr 3-bit (README recipe)");
        assertTrue(spqr.perplexity() < table.get("gptq 3-bit").perplexity(), "SpQR below GPTQ 3-bit: " + table);
        assertTrue(spqr.averageBits() > 3 && spqr.averageBits() < 4.5, "SpQR's average bits: " + spqr.averageBits());
        assertTrue(spqr.outlierFraction() > 0 && spqr.outlierFraction() < 0.05, "SpQR's outliers: " + spqr.outlierFraction());
        assertTrue(table.get("awq 4-bit g32").perplexity() < table.get("rtn 4-bit g32").perplexity(), "AWQ 4-bit below RTN: " + table);
        assertTrue(table.get("awq 3-bit g32").perplexity() < table.get("rtn 3-bit g32").perplexity(), "AWQ 3-bit below RTN: " + table);
    }

    private static RtnSpec rtn(int bits, int groupSize) {
        return new RtnSpec(bits, groupSize, false, new RunSettings(false, 8));
    }

    private static AwqSpec awq(int bits, int groupSize) {
        return new AwqSpec(new AwqSettings(bits, groupSize, 20, true), new RunSettings(false, 8));
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
