package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.linalg.JavaLinalg;
import dev.calibra.model.linalg.Linalgs;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties beyond the golden vectors, on the same [96, 320] layer and [8, 64, 320] inputs. */
class MethodBehaviourTest {

    private static final int ROWS = LayerCompressionGoldenTest.ROWS;
    private static final int COLUMNS = LayerCompressionGoldenTest.COLUMNS;

    private static GoldenVectors vectors;
    private static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        vectors = GoldenVectors.read(GoldenVectors.repositoryRoot().resolve("testvectors/layer_compression.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void free() {
        manager.close();
    }

    private static CompressedLayer run(LayerCompressor compressor, float[] inputs, float[] weight) {
        return run(compressor, inputs, weight, false);
    }

    /** With {@code withOutputs}, also feeds each sequence's outputs X W^T, as the driver's capture forward does. */
    private static CompressedLayer run(LayerCompressor compressor, float[] inputs, float[] weight, boolean withOutputs) {
        return run(compressor, inputs, weight, withOutputs ? 1f : 0f);
    }

    /** Outputs scaled by {@code outputScale} (0: none fed). */
    private static CompressedLayer run(LayerCompressor compressor, float[] inputs, float[] weight, float outputScale) {
        boolean withOutputs = outputScale != 0f;
        try (NDManager scope = manager.newSubManager(); compressor) {
            LayerCompressionGoldenTest.addInputsPerSequence(compressor, inputs, scope);
            if (withOutputs) {
                NDArray transposed = scope.create(weight, new Shape(ROWS, COLUMNS)).transpose();
                int perSequence = 64 * COLUMNS;
                for (int s = 0; s < 8; s++) {
                    float[] sequence = java.util.Arrays.copyOfRange(inputs, s * perSequence, (s + 1) * perSequence);
                    compressor.addOutputs(scope.create(sequence, new Shape(64, COLUMNS)).matMul(transposed).mul(outputScale));
                }
            }
            return compressor.compress(weight, ROWS, COLUMNS);
        }
    }

    /** GPTQ and SparseGPT take the error from their own OBS errors (ReconstructionError); the rest from two grams. */
    static Stream<Arguments> everyErrorRoute() {
        return Stream.of(
                Arguments.of("gptq 3-bit", (Supplier<LayerCompressor>) () -> new GptqCompressor(
                        new GptqSettings(3, -1, false, false, 0.01, 128))),
                Arguments.of("gptq 4-bit g32 act-order sym", (Supplier<LayerCompressor>) () -> new GptqCompressor(
                        new GptqSettings(4, 32, true, true, 0.01, 48))),
                Arguments.of("gptq 2-bit, dampening 10%", (Supplier<LayerCompressor>) () -> new GptqCompressor(
                        new GptqSettings(2, -1, false, false, 0.1, 128))),
                Arguments.of("sparsegpt 50%", (Supplier<LayerCompressor>) () -> new SparseGptCompressor(
                        SparseGptSettings.of(new SparsityPattern.Unstructured(0.5)))),
                Arguments.of("sparsegpt 2:4", (Supplier<LayerCompressor>) () -> new SparseGptCompressor(
                        SparseGptSettings.of(new SparsityPattern.NOfM(2, 4)))),
                Arguments.of("rtn 4-bit", (Supplier<LayerCompressor>) () -> new RtnQuantizer(
                        new RtnSettings(4, -1, false, true))),
                Arguments.of("gptq act-order, dead input 7", (Supplier<LayerCompressor>) () -> new GptqCompressor(
                        new GptqSettings(4, 64, false, true, 0.01, 128))),
                Arguments.of("sparsegpt 4:8, dead input 7", (Supplier<LayerCompressor>) () -> new SparseGptCompressor(
                        SparseGptSettings.of(new SparsityPattern.NOfM(4, 8)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyErrorRoute")
    void reconstructionError_equalsDirectOutputError(String name, Supplier<LayerCompressor> method) {
        float[] weight = vectors.tensor("weight");
        float[] inputs = vectors.tensor("inputs");
        if (name.contains("dead input 7")) {                    // an input that is always 0: H[7, 7] == 0
            for (int t = 0; t < inputs.length / COLUMNS; t++) {
                inputs[t * COLUMNS + 7] = 0f;
            }
        }
        CompressedLayer result = run(method.get(), inputs, weight);
        CompressedLayer withOutputs = run(method.get(), inputs, weight, true);
        assertArrayEquals(result.weight(), withOutputs.weight(), "outputs change only the error's denominator");
        // ||W X - W' X||^2 / ||W X||^2 over all 512 tokens, in double
        double error = 0;
        double signal = 0;
        int tokens = inputs.length / COLUMNS;
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < ROWS; r++) {
                double y = 0;
                double yCompressed = 0;
                for (int j = 0; j < COLUMNS; j++) {
                    y += (double) weight[r * COLUMNS + j] * inputs[t * COLUMNS + j];
                    yCompressed += (double) result.weight()[r * COLUMNS + j] * inputs[t * COLUMNS + j];
                }
                error += (y - yCompressed) * (y - yCompressed);
                signal += y * y;
            }
        }
        System.out.printf("%-30s direct %.6e reported %.6e (%.1e relative)%n", name, error / signal,
                result.relativeReconstructionError(), Math.abs(result.relativeReconstructionError() / (error / signal) - 1));
        assertEquals(error / signal, result.relativeReconstructionError(), 1e-4 * error / signal);
        assertEquals(error / signal, withOutputs.relativeReconstructionError(), 1e-4 * error / signal,
                "denominator from the outputs");
    }

    @Test
    void gptqAndSparseGpt_takeTheDenominatorFromOutputsWhenGiven() {
        float[] weight = vectors.tensor("weight");
        float[] inputs = vectors.tensor("inputs");
        for (Supplier<LayerCompressor> method : List.<Supplier<LayerCompressor>>of(
                () -> new GptqCompressor(GptqSettings.defaults()),
                () -> new SparseGptCompressor(SparseGptSettings.of(new SparsityPattern.Unstructured(0.5))))) {
            double plain = run(method.get(), inputs, weight, 1f).relativeReconstructionError();
            double doubled = run(method.get(), inputs, weight, 2f).relativeReconstructionError();   // 4x the energy
            assertEquals(plain / 4, doubled, 1e-9 * plain);
        }
    }

    @Test
    void gptq_hasLowerOutputErrorThanRoundToNearest() {
        float[] weight = vectors.tensor("weight");
        float[] inputs = vectors.tensor("inputs");
        double gptq = run(new GptqCompressor(new GptqSettings(4, -1, false, false, 0.01, 128)), inputs, weight)
                .relativeReconstructionError();
        double rtn = run(new RtnQuantizer(new RtnSettings(4, -1, false, true)), inputs, weight)
                .relativeReconstructionError();
        assertTrue(gptq < 0.6 * rtn, "GPTQ " + gptq + " vs RTN " + rtn);
    }

    @Test
    void gptq_pureJavaLinalg_matchesLapackResult() {
        float[] weight = vectors.tensor("weight");
        float[] inputs = vectors.tensor("inputs");
        GptqSettings settings = new GptqSettings(4, 64, false, false, 0.01, 128);
        float[] lapack = run(new GptqCompressor(settings, Linalgs.best()), inputs, weight).weight();
        float[] java = run(new GptqCompressor(settings, new JavaLinalg()), inputs, weight).weight();
        int same = 0;
        for (int k = 0; k < lapack.length; k++) {
            same += Math.abs(lapack[k] - java[k]) <= 1e-4 * Math.max(Math.abs(lapack[k]), 1e-3) ? 1 : 0;
        }
        assertTrue(same >= 0.999 * lapack.length, same + " of " + lapack.length);
    }

    @Test
    void gptq_actOrderWithGroups_recordsConsistentGroupIndex() {
        QuantizedLayer result = (QuantizedLayer) run(new GptqCompressor(new GptqSettings(4, 64, true, true, 0.01, 128)),
                vectors.tensor("inputs"), vectors.tensor("weight"));
        assertEquals(5, result.groups());
        int[] perGroup = new int[result.groups()];
        for (int g : result.groupIndex()) {
            perGroup[g]++;
        }
        assertArrayEquals(new int[] {64, 64, 64, 64, 64}, perGroup);
        assertTrue(result.maxLevelsPerGroup() <= 16);
        // act-order groups are not contiguous column ranges
        assertTrue(!Arrays.equals(result.groupIndex(), java.util.stream.IntStream.range(0, COLUMNS).map(j -> j / 64).toArray()));
    }

    @Test
    void deadInputColumn_isZeroedAndCompressionSucceeds() {
        float[] inputs = vectors.tensor("inputs");
        int dead = 7;
        for (int t = 0; t < inputs.length / COLUMNS; t++) {
            inputs[t * COLUMNS + dead] = 0f;                    // an input feature that is always zero
        }
        float[] weight = vectors.tensor("weight");
        CompressedLayer quantized = run(new GptqCompressor(new GptqSettings(4, -1, false, false, 0.01, 128)), inputs, weight);
        CompressedLayer pruned = run(new SparseGptCompressor(SparseGptSettings.of(new SparsityPattern.NOfM(2, 4))),
                inputs, weight);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(0f, quantized.weight()[r * COLUMNS + dead]);
            assertEquals(0f, pruned.weight()[r * COLUMNS + dead]);
        }
        assertTrue(quantized.relativeReconstructionError() < 0.02);
    }

    @Test
    void indefiniteHessian_retriesWithTenTimesDampening() {
        int n = 4;
        // mean diag 0.7375, 1% = 0.0074 is not enough for -0.05, 10% = 0.074 is
        float[] H = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -0.05f};
        InverseHessian.Damped damped = InverseHessian.upperCholeskyOfDampedInverse(H, n, 0.01, Linalgs.best());
        assertEquals(1 / Math.sqrt(-0.05 + 0.1 * 0.7375), damped.Hinv()[15], 1e-5);
        assertEquals(0.1 * 0.7375, damped.lambda(), 1e-6);
        float[] hopeless = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1e6f};
        assertThrows(HessianNotPositiveDefiniteException.class,
                () -> InverseHessian.upperCholeskyOfDampedInverse(hopeless, n, 0.01, Linalgs.best()));
    }

    @Test
    void pruners_reportAchievedSparsity() {
        float[] inputs = vectors.tensor("inputs");
        float[] weight = vectors.tensor("weight");
        PrunedLayer wanda = (PrunedLayer) run(new WandaPruner(new WandaSettings(new SparsityPattern.Unstructured(0.3), false)),
                inputs, weight);
        assertEquals(ROWS * (long) (COLUMNS * 0.3), wanda.zeroCount());
        assertTrue(Double.isNaN(wanda.relativeReconstructionError()));
        PrunedLayer sparseGpt = (PrunedLayer) run(new SparseGptCompressor(SparseGptSettings.of(new SparsityPattern.NOfM(4, 8))),
                inputs, weight);
        assertEquals(0.5, sparseGpt.achievedSparsity(), 1e-9);
    }

    @Test
    void postconditions_rejectBrokenResults() {
        // 2 x 4 weight, one group per row, 2 bits: grid of row 0 is {0, 1, 2, 3} * 0.5
        float[] scales = {0.5f, 0.5f};
        float[] zeros = {0f, 0f};
        int[] groupIndex = {0, 0, 0, 0};
        QuantizedLayer ok = QuantizedLayer.checked(new float[] {0, 0.5f, 1f, 1.5f, 0, 0, 0.5f, 0.5f}, 2, 4, 2, -1,
                scales, zeros, groupIndex, Double.NaN);
        assertEquals(4, ok.maxLevelsPerGroup());
        assertThrows(IllegalStateException.class, () -> QuantizedLayer.checked(
                new float[] {0, 0.5f, 1f, 1.75f, 0, 0, 0, 0}, 2, 4, 2, -1, scales, zeros, groupIndex, Double.NaN));
        assertThrows(IllegalStateException.class, () -> QuantizedLayer.checked(
                new float[] {0, 0.5f, 1f, 2f, 0, 0, 0, 0}, 2, 4, 2, -1, scales, zeros, groupIndex, Double.NaN));
        SparsityPattern twoOfFour = new SparsityPattern.NOfM(2, 4);
        PrunedLayer.checked(new float[] {0, 1, 0, 1, 1, 0, 0, 1}, 2, 4, twoOfFour, Double.NaN);
        assertThrows(IllegalStateException.class,
                () -> PrunedLayer.checked(new float[] {0, 1, 0, 1, 1, 0, 1, 1}, 2, 4, twoOfFour, Double.NaN));
        assertThrows(IllegalStateException.class, () -> PrunedLayer.checked(new float[] {0, 1, 1, 1, 1, 1, 1, 1}, 2, 4,
                new SparsityPattern.Unstructured(0.5), Double.NaN));
    }

    @Test
    void hessian_countsSequencesNotBatches() {
        float[] inputs = vectors.tensor("inputs");
        try (NDManager scope = manager.newSubManager();
                HessianAccumulator perSequence = new HessianAccumulator(Linalgs.best());
                HessianAccumulator oneBatch = new HessianAccumulator(Linalgs.best());
                HessianAccumulator twoDimensional = new HessianAccumulator(Linalgs.best())) {
            int perSequenceFloats = 64 * COLUMNS;
            for (int s = 0; s < 8; s++) {
                float[] sequence = Arrays.copyOfRange(inputs, s * perSequenceFloats, (s + 1) * perSequenceFloats);
                perSequence.add(scope.create(sequence, new ai.djl.ndarray.types.Shape(1, 64, COLUMNS)));
                twoDimensional.add(scope.create(sequence, new ai.djl.ndarray.types.Shape(64, COLUMNS)));
            }
            oneBatch.add(scope.create(inputs, new ai.djl.ndarray.types.Shape(8, 64, COLUMNS)));
            float[] expected = perSequence.takeHessian();
            float[] batched = oneBatch.takeHessian();
            float[] flat = twoDimensional.takeHessian();
            for (int i = 0; i < COLUMNS; i++) {
                for (int j = 0; j < COLUMNS; j++) {
                    // float32 sums in another order: compare relative to sqrt(H_ii H_jj) (Cauchy-Schwarz bound)
                    double scale = Math.sqrt((double) expected[i * COLUMNS + i] * expected[j * COLUMNS + j]);
                    assertEquals(expected[i * COLUMNS + j], batched[i * COLUMNS + j], 1e-5 * scale);
                    assertEquals(expected[i * COLUMNS + j], flat[i * COLUMNS + j], 1e-5 * scale);
                }
            }
            // H = 2/n X^T X with n = 8 sequences: H[0][0] = 2/8 * sum_t x_t0^2
            double direct = 0;
            for (int t = 0; t < 8 * 64; t++) {
                direct += (double) inputs[t * COLUMNS] * inputs[t * COLUMNS];
            }
            assertEquals(2.0 / 8 * direct, expected[0], 1e-5 * direct);
        }
    }

    /** Native arrays owned by a manager (DJL keeps them in BaseNDManager.resources). */
    private static int resourceCount(NDManager owner) throws ReflectiveOperationException {
        java.lang.reflect.Field resources = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
        resources.setAccessible(true);
        return ((java.util.Map<?, ?>) resources.get(owner)).size();
    }

    @Test
    void addBatch_leavesNoTemporariesInTheInputsManager() throws ReflectiveOperationException {
        float[] inputs = vectors.tensor("inputs");
        try (NDManager scope = manager.newSubManager();
                GptqCompressor gptq = new GptqCompressor(GptqSettings.defaults());
                WandaPruner wanda = new WandaPruner(new WandaSettings(new SparsityPattern.NOfM(2, 4), true))) {
            ai.djl.ndarray.NDArray batch = scope.create(inputs, new ai.djl.ndarray.types.Shape(8, 64, COLUMNS));
            int before = resourceCount(scope);
            gptq.addBatch(batch);
            wanda.addBatch(batch);
            wanda.addBatch(batch.toType(ai.djl.ndarray.types.DataType.FLOAT64, false));   // converted inside
            assertEquals(before + 1, resourceCount(scope));   // only the FLOAT64 copy made by this test
        }
    }
}
