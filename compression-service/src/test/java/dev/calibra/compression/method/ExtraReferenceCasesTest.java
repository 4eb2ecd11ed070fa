package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our own reference cases (src/test/resources/reference, made by tools/reference/make_cases.py with Debian's
 * python3-torch, see the README there): shapes the shipped golden layer does not cover — [96, 160] (a
 * 32-column remainder block), [64, 257] (odd width, one dead input column) and [48, 96] — with act-order
 * plus groups, 3-bit symmetric groups, groups that straddle blocks, 8 bits, SparseGPT N:M (M = 2, 3, 4, 6, 8)
 * and unstructured with blocks smaller than the layer, Wanda and magnitude 4:8. Same tolerance as
 * {@link LayerCompressionGoldenTest}.
 */
class ExtraReferenceCasesTest {

    private static GoldenVectors vectors;
    private static JsonNode cases;
    private static JsonNode layers;
    private static NDManager manager;

    static Path referenceDirectory() {
        try {
            return Path.of(ExtraReferenceCasesTest.class.getResource("/reference/extra_cases.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode readCases() throws IOException {
        return new ObjectMapper().readTree(referenceDirectory().resolve("extra_cases.json").toFile());
    }

    @BeforeAll
    static void load() throws IOException {
        vectors = GoldenVectors.read(referenceDirectory().resolve("extra_cases.safetensors"));
        JsonNode all = readCases();
        cases = all.get("cases");
        layers = all.get("layers");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void free() {
        manager.close();
    }

    static Stream<String> caseNames() throws IOException {
        List<String> names = new ArrayList<>();
        readCases().get("cases").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    /** Adds the layer's calibration inputs {@code [sequences, tokens, columns]} one sequence at a time. */
    static void addInputsPerSequence(LayerCompressor compressor, String layer, NDManager scope) {
        float[] inputs = vectors.tensor(layer + "_inputs");
        long[] shape = vectors.shape(layer + "_inputs");
        int perSequence = (int) (shape[1] * shape[2]);
        for (int s = 0; s < shape[0]; s++) {
            float[] sequence = new float[perSequence];
            System.arraycopy(inputs, s * perSequence, sequence, 0, perSequence);
            compressor.addBatch(scope.create(sequence, new Shape(1, shape[1], shape[2])));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void compress_extraCase_matchesReference(String name) {
        JsonNode spec = cases.get(name);
        String layer = spec.get("layer").asText();
        int rows = layers.get(layer).get("rows").asInt();
        int columns = layers.get(layer).get("columns").asInt();
        float[] expected = vectors.tensor(name);
        CompressedLayer result;
        try (NDManager scope = manager.newSubManager();
                LayerCompressor compressor = LayerCompressionGoldenTest.compressorFor(spec)) {
            addInputsPerSequence(compressor, layer, scope);
            result = compressor.compress(vectors.tensor(layer + "_weight"), rows, columns);
        }
        float[] actual = result.weight();
        assertEquals(expected.length, actual.length, name + ": element count");
        int within = 0;
        double worst = 0;
        for (int k = 0; k < actual.length; k++) {
            double scale = Math.max(Math.abs(expected[k]), LayerCompressionGoldenTest.NEAR_ZERO);
            double deviation = Math.abs(actual[k] - expected[k]) / scale;
            worst = Math.max(worst, deviation);
            within += deviation <= LayerCompressionGoldenTest.RELATIVE_TOLERANCE ? 1 : 0;
        }
        double fraction = (double) within / actual.length;
        System.out.printf("%-32s within=%.5f worst=%.2e error=%.5f%n", name, fraction, worst,
                result.relativeReconstructionError());
        assertTrue(fraction >= LayerCompressionGoldenTest.REQUIRED_FRACTION,
                name + ": only " + fraction + " of elements within tolerance (worst " + worst + ")");
        if (result instanceof PrunedLayer) {
            int mismatches = 0;
            for (int k = 0; k < actual.length; k++) {
                mismatches += (actual[k] == 0f) != (expected[k] == 0f) ? 1 : 0;
            }
            assertEquals(0, mismatches, name + ": pruning masks differ");
        }
    }

    static Stream<String> layerNames() throws IOException {
        List<String> names = new ArrayList<>();
        readCases().get("layers").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @ParameterizedTest(name = "layer {0}")
    @MethodSource("layerNames")
    void wanda_scalerRow_matchesReference(String layer) {
        float[] expected = vectors.tensor(layer + "_wanda_scaler_row");
        try (NDManager scope = manager.newSubManager();
                WandaPruner wanda = new WandaPruner(new WandaSettings(new SparsityPattern.Unstructured(0.5), false))) {
            addInputsPerSequence(wanda, layer, scope);
            float[] actual = wanda.scalerRow();
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], actual[j], 1e-5 * Math.abs(expected[j]), "column " + j);
            }
        }
    }
}
