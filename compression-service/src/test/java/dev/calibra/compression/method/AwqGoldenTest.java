package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWQ against testvectors/awq_cases.* (tools/reference/awq_reference.py: a float32 transcription of
 * mit-han-lab/llm-awq d6e797a, checked bit for bit against upstream's own functions), step by step with each step fed
 * the stored values of the one before, then end to end, with the tolerances of testvectors/README.md.
 */
class AwqGoldenTest {

    private static final int ROWS = 96;
    private static final int COLUMNS = 320;
    private static final int TOKENS = 8 * 64;

    private static JsonNode cases;
    private static SafetensorsFile golden;
    private static float[] weight;
    private static float[] inputs;
    private static float[] spread;
    private static NDManager manager;

    @BeforeAll
    static void read() throws IOException {
        Path vectors = GoldenVectors.repositoryRoot().resolve("testvectors");
        cases = new ObjectMapper().readTree(vectors.resolve("awq_cases.json").toFile()).get("cases");
        golden = SafetensorsFile.open(vectors.resolve("awq_cases.safetensors"));
        try (SafetensorsFile layer = SafetensorsFile.open(vectors.resolve("layer_compression.safetensors"))) {
            weight = layer.readFloats("weight");
            inputs = layer.readFloats("inputs");
        }
        spread = golden.readFloats("channel_spread");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() throws IOException {
        golden.close();
        manager.close();
    }

    static Stream<String> caseNames() throws IOException {
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(GoldenVectors.repositoryRoot().resolve("testvectors/awq_cases.json").toFile()).get("cases")
                .fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    private static AwqSettings settings(JsonNode p) {
        return new AwqSettings(p.get("w_bit").asInt(), p.get("q_group_size").asInt(), p.get("n_grid").asInt(),
                p.get("clip").asBoolean());
    }

    /** The case's inputs {@code [512, 320]}: the layer's, or with channel c times channel_spread[c]. */
    private static NDArray inputs(NDManager scope, JsonNode p) {
        float[] x = inputs.clone();
        if (p.get("inputs").asText().equals("spread")) {
            for (int k = 0; k < x.length; k++) {
                x[k] *= spread[k % COLUMNS];
            }
        }
        return scope.create(x, new Shape(TOKENS, COLUMNS));
    }

    private static void assertRelative(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int k = 0; k < expected.length; k++) {
            double deviation = Math.abs(actual[k] - expected[k]) / Math.max(Math.abs(expected[k]), 1e-30);
            assertTrue(deviation <= tolerance, what + "[" + k + "]: " + actual[k] + " vs " + expected[k]);
        }
    }

    @Test
    void activationScale_isMeanAbsoluteInputPerChannel() {
        try (NDManager scope = manager.newSubManager()) {
            JsonNode layer = cases.get("awq_4bit_g64").get("parameters");
            JsonNode spreadCase = cases.get("awq_4bit_g64_spread").get("parameters");
            assertRelative(golden.readFloats("x_max"), AwqScaleSearch.activationScale(inputs(scope, layer)), 1e-6, "x_max");
            assertRelative(golden.readFloats("x_max_spread"), AwqScaleSearch.activationScale(inputs(scope, spreadCase)), 1e-6,
                    "x_max_spread");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void scaleSearch_givesUpstreamLossesAndScales(String name) throws IOException {
        JsonNode p = cases.get(name).get("parameters");
        AwqSettings settings = settings(p);
        float[] xMax = golden.readFloats(p.get("inputs").asText().equals("spread") ? "x_max_spread" : "x_max");
        try (NDManager scope = manager.newSubManager()) {
            LinearOutputError output = new LinearOutputError(inputs(scope, p));
            AwqScaleSearch.Result search = AwqScaleSearch.search(xMax, settings.scaleGrid(), s -> output.meanSquared(weight,
                    AwqScaleSearch.scaledQuantized(weight, ROWS, COLUMNS, s, settings.bits(), settings.groupSize()), ROWS, COLUMNS));
            float[] losses = golden.readFloats(name + ".scale_search_losses");
            for (int i = 0; i < losses.length; i++) {
                assertEquals(losses[i], search.losses()[i], 1e-5 * losses[i], name + " loss " + i);
            }
            JsonNode results = cases.get(name).get("results");
            assertEquals(results.get("best_index").asInt(), search.index(), name + ": best ratio index");
            assertEquals(results.get("best_ratio").asDouble(), search.alpha(), 1e-12);
            assertRelative(golden.readFloats(name + ".scales"), search.scales(), 1e-6, name + " scales");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void clipSearch_onGoldenScales_choosesUpstreamSteps(String name) throws IOException {
        JsonNode p = cases.get(name).get("parameters");
        if (!p.get("clip").asBoolean()) {
            return;
        }
        AwqSettings settings = settings(p);
        float[] s = golden.readFloats(name + ".scales");
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = inputs(scope, p).div(scope.create(s, new Shape(1, COLUMNS)));
            AwqClipSearch.Result clip = AwqClipSearch.search(AwqScaleSearch.scaleColumns(weight, ROWS, COLUMNS, s), ROWS,
                    COLUMNS, AwqClipSearch.sampleTokens(x), settings.bits(), settings.groupSize());
            assertArrayEquals(ints(name + ".clip_index"), clip.index(), name + ": clip steps");
            assertRelative(golden.readFloats(name + ".max_val"), clip.maxVal(), 1e-6, name + " max_val");
            float[] errors = golden.readFloats(name + ".clip_grid_errors");
            for (int k = 0; k < errors.length; k++) {
                assertEquals(errors[k], clip.errors()[k], 1e-5 * errors[k] + 1e-12, name + " clip error " + k);
            }
            assertEquals(cases.get(name).get("results").get("clipped_groups").asInt(), clip.clippedGroups());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void quantization_onGoldenClip_givesUpstreamCodesAndWeights(String name) throws IOException {
        JsonNode p = cases.get(name).get("parameters");
        AwqSettings settings = settings(p);
        float[] s = golden.readFloats(name + ".scales");
        float[] scaled = AwqScaleSearch.scaleColumns(weight, ROWS, COLUMNS, s);
        if (p.get("clip").asBoolean()) {
            scaled = AwqClipSearch.apply(scaled, ROWS, COLUMNS, settings.groupSize(), golden.readFloats(name + ".max_val"));
        }
        AwqQuantizer.Grid grid = AwqQuantizer.quantize(scaled, ROWS, COLUMNS, settings.bits(), settings.groupSize());
        int[] codes = ints(name + ".codes");
        for (int k = 0; k < codes.length; k++) {
            assertEquals(codes[k], grid.codes()[k] & 0xff, name + ": code " + k);
        }
        assertArrayEquals(golden.readFloats(name + ".group_scales"), grid.scales(), name + ": group scales");
        assertArrayEquals(golden.readFloats(name + ".group_zeros"), grid.zeros(), name + ": group zeros");
        AwqLayer layer = AwqLayer.checked(grid, ROWS, COLUMNS, settings.bits(), settings.groupSize(), s, AwqLayer.ones(ROWS),
                0.0, -1);
        assertRelative(golden.readFloats(name + ".weight"), layer.weight(), 1e-6, name + " weight");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void endToEnd_matchesUpstreamWithinTheReadmeTolerance(String name) throws IOException {
        JsonNode p = cases.get(name).get("parameters");
        JsonNode results = cases.get(name).get("results");
        AwqSettings settings = settings(p);
        AwqLinear.Outcome outcome;
        try (NDManager scope = manager.newSubManager()) {
            outcome = AwqLinear.compress(weight, ROWS, COLUMNS, inputs(scope, p), settings);
        }
        assertEquals(results.get("best_index").asInt(), outcome.scales().index(), name + ": best ratio");
        int groups = AwqQuantizer.groups(COLUMNS, settings.groupSize());
        boolean[] differs = new boolean[ROWS * groups];
        int differing = 0;
        if (settings.clipSearch()) {
            int[] expected = ints(name + ".clip_index");
            for (int k = 0; k < expected.length; k++) {
                differs[k] = expected[k] != outcome.clip().index()[k];
                differing += differs[k] ? 1 : 0;
            }
            assertTrue(differing <= 0.01 * expected.length, name + ": " + differing + " clip choices differ");
            assertEquals(results.get("clipped_groups").asInt(), outcome.layer().clippedGroups(), 0.01 * expected.length);
        }
        float[] expected = golden.readFloats(name + ".weight");
        int compared = 0;
        int within = 0;
        int width = COLUMNS / groups;
        for (int k = 0; k < expected.length; k++) {
            if (differs[(k / COLUMNS) * groups + (k % COLUMNS) / width]) {
                continue;
            }
            compared++;
            double deviation = Math.abs(outcome.layer().weight()[k] - expected[k]) / Math.max(Math.abs(expected[k]), 1e-3);
            within += deviation <= 1e-4 ? 1 : 0;
        }
        System.out.printf("%-22s alpha=%.2f clip-differing=%d within=%.5f error=%.5f avg_bits=%.3f%n", name,
                outcome.scales().alpha(), differing, (double) within / compared, outcome.layer().relativeReconstructionError(),
                outcome.layer().averageBits());
        assertTrue(within >= 0.999 * compared, name + ": " + within + " of " + compared + " elements within 1e-4");
        // the output error the reference reports for the effective weight
        try (NDManager scope = manager.newSubManager()) {
            double mse = new LinearOutputError(inputs(scope, p)).meanSquared(weight, outcome.layer().weight(), ROWS, COLUMNS);
            assertEquals(results.get("output_mse").asDouble(), mse, 1e-3 * mse, name + ": output mse");
            assertTrue(mse < results.get("rtn_output_mse").asDouble(), name + ": AWQ must beat plain rounding");
        }
    }

    private static int[] ints(String name) throws IOException {
        var buffer = golden.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] values = new int[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
