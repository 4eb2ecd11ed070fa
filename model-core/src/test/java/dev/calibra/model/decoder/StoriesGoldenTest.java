package dev.calibra.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.TestData;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** stories260K against float64 logits exported from the Python reference (testvectors/README.md). */
class StoriesGoldenTest {

    /** max|ours - reference| / max|reference| in float32. */
    private static final double MAX_RELATIVE_ERROR = 1e-4;

    private static ModelFolder folder;
    private static CausalLm model;

    @BeforeAll
    static void load() throws IOException {
        folder = ModelFolder.open(TestData.stories260K());
        model = folder.load(Device.cpu());
    }

    @AfterAll
    static void close() throws IOException {
        model.close();
        folder.close();
    }

    @Test
    void forward_storiesInputIds_matchesFloat64LogitsWithin1e4Relative() throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(TestData.testVectors().resolve("stories260K_logits.safetensors"));
                NDManager manager = model.newManager()) {
            float[] idsAsFloats = golden.readFloats("input_ids");
            int[] ids = new int[idsAsFloats.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) idsAsFloats[i];
            }
            float[] reference = golden.readFloats("logits_f64");
            float[] logits = model.forward(manager.create(ids, new Shape(1, ids.length))).toFloatArray();

            assertEquals(reference.length, logits.length);
            double maxAbsDiff = 0;
            double maxAbsRef = 0;
            double maxElementRelative = 0;
            for (int i = 0; i < logits.length; i++) {
                double diff = Math.abs(logits[i] - reference[i]);
                maxAbsDiff = Math.max(maxAbsDiff, diff);
                maxAbsRef = Math.max(maxAbsRef, Math.abs(reference[i]));
                // per element: relative to |reference|, absolute below 1
                maxElementRelative = Math.max(maxElementRelative, diff / Math.max(1.0, Math.abs(reference[i])));
            }
            System.out.printf("golden logits: max|diff| %.3g, max|ref| %.3g, relative %.3g, per-element %.3g%n",
                    maxAbsDiff, maxAbsRef, maxAbsDiff / maxAbsRef, maxElementRelative);
            assertTrue(maxAbsDiff / maxAbsRef < MAX_RELATIVE_ERROR, "relative error " + maxAbsDiff / maxAbsRef);
            assertTrue(maxElementRelative < MAX_RELATIVE_ERROR, "per-element error " + maxElementRelative);
        }
    }
}
