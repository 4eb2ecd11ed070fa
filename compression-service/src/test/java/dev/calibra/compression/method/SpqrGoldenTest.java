package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SpQR against upstream Vahe1994/SpQR run on the shared layer (testvectors/spqr_cases.*, made by
 * tools/reference/spqr_cases.py): the weights within the tolerance of testvectors/README.md, identical outlier
 * masks and permutation, the same outlier count and average bits.
 */
class SpqrGoldenTest {

    private static final int ROWS = 96;
    private static final double RELATIVE_TOLERANCE = 1e-4;
    private static final double NEAR_ZERO = 1e-3;
    private static final double REQUIRED_FRACTION = 0.999;

    private static JsonNode cases;
    private static SafetensorsFile golden;
    private static float[] weight;
    private static float[] inputs;
    private static NDManager manager;

    @BeforeAll
    static void read() throws IOException {
        Path vectors = GoldenVectors.repositoryRoot().resolve("testvectors");
        cases = new ObjectMapper().readTree(vectors.resolve("spqr_cases.json").toFile()).get("cases");
        golden = SafetensorsFile.open(vectors.resolve("spqr_cases.safetensors"));
        try (SafetensorsFile layer = SafetensorsFile.open(vectors.resolve("layer_compression.safetensors"))) {
            weight = layer.readFloats("weight");
            inputs = layer.readFloats("inputs");
        }
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() throws IOException {
        golden.close();
        manager.close();
    }

    /** Every case but upstream's simplified_outliers switch, which Calibra does not offer. */
    static Stream<String> caseNames() throws IOException {
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(GoldenVectors.repositoryRoot().resolve("testvectors/spqr_cases.json").toFile()).get("cases")
                .fieldNames().forEachRemaining(names::add);
        return names.stream().filter(name -> !name.contains("simplified"));
    }

    private static SpqrSettings settings(JsonNode p) {
        double threshold = p.get("outlier_threshold").isNull() ? Double.POSITIVE_INFINITY : p.get("outlier_threshold").asDouble();
        return new SpqrSettings(p.get("wbits").asInt(), p.get("groupsize").asInt(), p.get("qq_scale_bits").asInt(),
                p.get("qq_zero_bits").asInt(), p.get("qq_groupsize").asInt(), threshold,
                p.get("permutation_order").asText().equals("act_order"), p.get("percdamp").asDouble(), p.get("blocksize").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void compress_matchesUpstreamSpqr(String name) throws IOException {
        JsonNode p = cases.get(name).get("parameters");
        JsonNode results = cases.get(name).get("results");
        int columns = p.get("columns").asInt();
        float[] w = new float[ROWS * columns];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(weight, r * 320, w, r * columns, columns);
        }
        SpqrLayer result;
        try (NDManager scope = manager.newSubManager(); SpqrCompressor compressor = new SpqrCompressor(settings(p))) {
            for (int s = 0; s < 8; s++) {                        // add_batch once per sequence, as upstream's driver did
                float[] sequence = new float[64 * columns];
                for (int t = 0; t < 64; t++) {
                    System.arraycopy(inputs, (s * 64 + t) * 320, sequence, t * columns, columns);
                }
                compressor.addBatch(scope.create(sequence, new Shape(1, 64, columns)));
            }
            result = compressor.compress(w, ROWS, columns);
        }
        float[] expected = golden.readFloats(name + ".weight");
        int within = 0;
        double worst = 0;
        for (int k = 0; k < expected.length; k++) {
            double deviation = Math.abs(result.weight()[k] - expected[k]) / Math.max(Math.abs(expected[k]), NEAR_ZERO);
            worst = Math.max(worst, deviation);
            within += deviation <= RELATIVE_TOLERANCE ? 1 : 0;
        }
        double fraction = (double) within / expected.length;
        System.out.printf("%-24s within=%.5f worst=%.2e outliers=%d avg_bits=%.4f error=%.5f%n", name, fraction, worst,
                result.outliers(), result.averageBits(), result.relativeReconstructionError());
        assertTrue(fraction >= REQUIRED_FRACTION, name + ": only " + fraction + " of elements within tolerance");

        float[] perm = golden.readFloats(name + ".perm");
        int[] expectedPerm = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            expectedPerm[i] = (int) perm[i];
        }
        assertArrayEquals(expectedPerm, result.compact().perm(), name + ": permutation");

        float[] expectedMask = golden.readFloats(name + ".outlier_mask");
        boolean[] mask = new boolean[ROWS * columns];
        var compact = result.compact();
        for (int r = 0; r < ROWS; r++) {
            for (int i = compact.rowPointers()[r]; i < compact.rowPointers()[r + 1]; i++) {
                mask[r * columns + compact.outlierColumns()[i]] = true;
            }
        }
        int mismatches = 0;
        for (int k = 0; k < mask.length; k++) {
            mismatches += mask[k] != (expectedMask[k] != 0f) ? 1 : 0;
        }
        assertEquals(0, mismatches, name + ": outlier masks differ");
        assertEquals(results.get("outlier_count").asInt(), result.outliers(), name + ": outliers");
        assertEquals(results.get("avg_bits_unrounded").asDouble(), result.averageBits(), 1e-9, name + ": average bits");
        assertTrue(result.relativeReconstructionError() > 0 && result.relativeReconstructionError() < 1,
                name + ": relative error " + result.relativeReconstructionError());
    }
}
