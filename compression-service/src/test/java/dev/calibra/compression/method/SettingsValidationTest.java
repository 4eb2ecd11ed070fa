package dev.calibra.compression.method;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Invalid settings and misuse fail fast with an exception naming the offending field. */
class SettingsValidationTest {

    private static void assertRejects(String field, Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertTrue(e.getMessage().startsWith(field + ":"), "message should name " + field + ": " + e.getMessage());
    }

    @Test
    void gptqSettings_invalidValues_nameTheField() {
        assertRejects("bits", () -> new GptqSettings(5, 128, false, false, 0.01, 128));
        assertRejects("bits", () -> new GptqSettings(1, 128, false, false, 0.01, 128));
        assertRejects("groupSize", () -> new GptqSettings(4, 0, false, false, 0.01, 128));
        assertRejects("groupSize", () -> new GptqSettings(4, -2, false, false, 0.01, 128));
        assertRejects("dampening", () -> new GptqSettings(4, 128, false, false, 0, 128));
        assertRejects("dampening", () -> new GptqSettings(4, 128, false, false, Double.NaN, 128));
        assertRejects("blockSize", () -> new GptqSettings(4, 128, false, false, 0.01, 0));
    }

    @Test
    void rtnSettings_invalidValues_nameTheField() {
        assertRejects("bits", () -> new RtnSettings(16, -1, false, false));
        assertRejects("groupSize", () -> new RtnSettings(4, 0, false, false));
    }

    @Test
    void sparsityPatterns_invalidValues_nameTheField() {
        assertRejects("sparsity", () -> new SparsityPattern.Unstructured(0));
        assertRejects("sparsity", () -> new SparsityPattern.Unstructured(1));
        assertRejects("sparsity", () -> new SparsityPattern.Unstructured(Double.NaN));
        assertRejects("n", () -> new SparsityPattern.NOfM(4, 4));
        assertRejects("n", () -> new SparsityPattern.NOfM(0, 4));
        assertRejects("m", () -> new SparsityPattern.NOfM(1, 1));
        assertRejects("pattern", () -> new WandaSettings(null, false));
        assertRejects("pattern", () -> new MagnitudeSettings(null, false));
        assertRejects("pattern", () -> new SparseGptSettings(null, 0.01, 128));
        assertRejects("blockSize", () -> new SparseGptSettings(new SparsityPattern.NOfM(2, 3), 0.01, 128));
        assertRejects("dampening", () -> new SparseGptSettings(new SparsityPattern.Unstructured(0.5), -1, 128));
    }

    @Test
    void compress_withoutBatches_throwsIllegalState() {
        try (GptqCompressor gptq = new GptqCompressor(GptqSettings.defaults())) {
            assertThrows(IllegalStateException.class, () -> gptq.compress(new float[16], 4, 4));
        }
        try (WandaPruner wanda = new WandaPruner(new WandaSettings(new SparsityPattern.NOfM(2, 4), false))) {
            assertThrows(IllegalStateException.class, () -> wanda.compress(new float[16], 4, 4));
        }
    }

    @Test
    void compress_shapeMismatches_nameTheField() {
        try (NDManager manager = NDManager.newBaseManager();
                SparseGptCompressor sparseGpt = new SparseGptCompressor(
                        SparseGptSettings.of(new SparsityPattern.Unstructured(0.5)))) {
            sparseGpt.addBatch(manager.randomNormal(new Shape(2, 16, 8)));
            assertRejects("columns", () -> sparseGpt.compress(new float[4 * 6], 4, 6));
            assertRejects("weight", () -> sparseGpt.compress(new float[5], 4, 8));
            assertRejects("inputs", () -> sparseGpt.addBatch(manager.randomNormal(new Shape(2, 16, 6))));
            assertRejects("inputs", () -> sparseGpt.addBatch(manager.randomNormal(new Shape(1, 2, 16, 8))));
        }
        try (MagnitudePruner magnitude = new MagnitudePruner(new MagnitudeSettings(new SparsityPattern.NOfM(2, 4), false))) {
            assertRejects("columns", () -> magnitude.compress(new float[4 * 6], 4, 6));
        }
    }
}
