package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
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
 * The 16 golden cases of shared/testvectors/layer_compression.safetensors, produced by the reference
 * implementations (IST-DASLab gptq/sparsegpt, locuslab/wanda) on a [96, 320] layer with inputs
 * [8, 64, 320] added once per sequence. Tolerance (testvectors/README.md): at least 99.9% of the elements
 * within 1e-4 relative, measured against max(|expected|, 1e-3) so values near zero are compared
 * absolutely; pruning masks identical.
 */
class LayerCompressionGoldenTest {

    static final int ROWS = 96;
    static final int COLUMNS = 320;
    static final double RELATIVE_TOLERANCE = 1e-4;
    static final double NEAR_ZERO = 1e-3;
    static final double REQUIRED_FRACTION = 0.999;

    private static GoldenVectors vectors;
    private static JsonNode cases;
    private static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        Path directory = GoldenVectors.repositoryRoot().resolve("testvectors");
        vectors = GoldenVectors.read(directory.resolve("layer_compression.safetensors"));
        cases = new ObjectMapper().readTree(directory.resolve("layer_compression_cases.json").toFile());
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void free() {
        manager.close();
    }

    static Stream<String> caseNames() throws IOException {
        Path file = GoldenVectors.repositoryRoot().resolve("testvectors/layer_compression_cases.json");
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(file.toFile()).fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    static SparsityPattern pattern(JsonNode spec) {
        return spec.has("n") ? new SparsityPattern.NOfM(spec.get("n").asInt(), spec.get("m").asInt())
                : new SparsityPattern.Unstructured(spec.get("sparsity").asDouble());
    }

    static LayerCompressor compressorFor(JsonNode spec) {
        String method = spec.get("method").asText();
        return switch (method) {
            case "gptq" -> new GptqCompressor(new GptqSettings(spec.get("bits").asInt(), spec.get("group_size").asInt(),
                    spec.get("sym").asBoolean(), spec.get("act_order").asBoolean(), spec.get("damp").asDouble(),
                    spec.get("block_size").asInt()));
            case "rtn" -> new RtnQuantizer(new RtnSettings(spec.get("bits").asInt(), spec.get("group_size").asInt(),
                    spec.get("sym").asBoolean(), true));
            case "sparsegpt" -> new SparseGptCompressor(new SparseGptSettings(pattern(spec), spec.get("damp").asDouble(),
                    spec.get("block_size").asInt()));
            case "wanda" -> new WandaPruner(new WandaSettings(pattern(spec), true));
            case "magnitude" -> new MagnitudePruner(new MagnitudeSettings(pattern(spec), true));
            default -> throw new IllegalArgumentException("method: unknown " + method);
        };
    }

    /** Adds the calibration inputs once per sequence, as the reference did. */
    static void addInputsPerSequence(LayerCompressor compressor, float[] inputs, NDManager scope) {
        int perSequence = 64 * COLUMNS;
        for (int s = 0; s < 8; s++) {
            float[] sequence = new float[perSequence];
            System.arraycopy(inputs, s * perSequence, sequence, 0, perSequence);
            compressor.addBatch(scope.create(sequence, new Shape(1, 64, COLUMNS)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void compress_goldenCase_matchesReference(String name) {
        JsonNode spec = cases.get(name);
        float[] weight = vectors.tensor("weight");
        float[] expected = vectors.tensor(name);
        CompressedLayer result;
        try (NDManager scope = manager.newSubManager(); LayerCompressor compressor = compressorFor(spec)) {
            addInputsPerSequence(compressor, vectors.tensor("inputs"), scope);
            result = compressor.compress(weight, ROWS, COLUMNS);
        }
        float[] actual = result.weight();
        int within = 0;
        double worst = 0;
        for (int k = 0; k < actual.length; k++) {
            double scale = Math.max(Math.abs(expected[k]), NEAR_ZERO);
            double deviation = Math.abs(actual[k] - expected[k]) / scale;
            worst = Math.max(worst, deviation);
            within += deviation <= RELATIVE_TOLERANCE ? 1 : 0;
        }
        double fraction = (double) within / actual.length;
        System.out.printf("%-18s within=%.5f worst=%.2e error=%.5f%n", name, fraction, worst,
                result.relativeReconstructionError());
        assertTrue(fraction >= REQUIRED_FRACTION, name + ": only " + fraction + " of elements within tolerance");
        if (result instanceof PrunedLayer) {
            int mismatches = 0;
            for (int k = 0; k < actual.length; k++) {
                mismatches += (actual[k] == 0f) != (expected[k] == 0f) ? 1 : 0;
            }
            assertEquals(0, mismatches, name + ": pruning masks differ");
        }
        assertTrue(result.relativeReconstructionError() > 0 && result.relativeReconstructionError() < 1,
                name + ": relative error " + result.relativeReconstructionError());
    }

    @Test
    void wanda_scalerRow_matchesReference() {
        float[] expected = vectors.tensor("wanda_scaler_row");
        try (NDManager scope = manager.newSubManager();
                WandaPruner wanda = new WandaPruner(new WandaSettings(new SparsityPattern.Unstructured(0.5), false))) {
            addInputsPerSequence(wanda, vectors.tensor("inputs"), scope);
            float[] actual = wanda.scalerRow();
            for (int j = 0; j < COLUMNS; j++) {
                assertEquals(expected[j], actual[j], 1e-5 * Math.abs(expected[j]), "column " + j);
            }
        }
    }
}
