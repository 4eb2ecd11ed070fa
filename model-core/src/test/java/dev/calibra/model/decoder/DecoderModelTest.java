package dev.calibra.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.KvCache;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DecoderModelTest {

    private static final int[] TOKENS = {1, 403, 407, 261, 378, 395, 4, 398, 268, 261, 379, 356, 476, 414, 322, 431,
            13, 407, 295, 307};
    /** Float32 summation order differs between batched, cached and plain runs; logits reach about 20. */
    private static final float TOLERANCE = 1e-4f;

    private static ModelFolder folder;
    private static DecoderModel model;

    @BeforeAll
    static void load() throws IOException {
        folder = ModelFolder.open(TestData.stories260K());
        model = (DecoderModel) folder.load(Device.cpu());
    }

    @AfterAll
    static void close() throws IOException {
        model.close();
        folder.close();
    }

    private static float[] logits(NDManager manager, int[] tokens) {
        return model.forward(manager.create(tokens, new Shape(1, tokens.length))).toFloatArray();
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tolerance, "max |diff| " + worst + " > " + tolerance);
    }

    @Test
    void blockByBlock_equalsForward() {
        try (NDManager manager = model.newManager()) {
            NDArray ids = manager.create(TOKENS, new Shape(1, TOKENS.length));
            NDArray hidden = model.embed(ids);
            assertEquals(new Shape(1, TOKENS.length, 64), hidden.getShape());
            for (int layer = 0; layer < model.numLayers(); layer++) {
                hidden = model.block(layer, hidden, dev.calibra.model.LinearHook.NONE);
            }
            NDArray logits = model.head(hidden);
            assertEquals(new Shape(1, TOKENS.length, 512), logits.getShape());
            assertClose(logits(manager, TOKENS), logits.toFloatArray(), 0f);
        }
    }

    @Test
    void block_hookSeesEveryLinearInputWithItsShape() {
        List<String> seen = new ArrayList<>();
        try (NDManager manager = model.newManager()) {
            NDArray hidden = model.embed(manager.create(TOKENS, new Shape(1, TOKENS.length)));
            model.block(2, hidden, (layer, linear, input) -> {
                assertEquals(2, layer);
                long inFeatures = linear.equals("down_proj") ? 172 : 64;
                assertEquals(new Shape(TOKENS.length, inFeatures), input.getShape(), linear);
                seen.add(linear);
            });
        }
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), seen);
    }

    @Test
    void forward_batchOfTwo_equalsEachAlone() {
        int[] other = Arrays.copyOf(new int[] {1, 300, 301, 302, 303, 304, 305, 306, 307, 308}, TOKENS.length);
        for (int i = 10; i < other.length; i++) {
            other[i] = 260 + i;
        }
        try (NDManager manager = model.newManager()) {
            int[] both = new int[TOKENS.length * 2];
            System.arraycopy(TOKENS, 0, both, 0, TOKENS.length);
            System.arraycopy(other, 0, both, TOKENS.length, other.length);
            float[] batched = model.forward(manager.create(both, new Shape(2, TOKENS.length))).toFloatArray();
            float[] first = logits(manager, TOKENS);
            float[] second = logits(manager, other);
            assertClose(first, Arrays.copyOfRange(batched, 0, first.length), TOLERANCE);
            assertClose(second, Arrays.copyOfRange(batched, first.length, batched.length), TOLERANCE);
        }
    }

    @Test
    void forward_withKvCacheStepByStep_equalsFullForward() {
        try (NDManager manager = model.newManager(); KvCache cache = model.newCache(manager)) {
            float[] full = logits(manager, TOKENS);
            int prefill = 12;
            float[] first = model.forward(manager.create(Arrays.copyOf(TOKENS, prefill), new Shape(1, prefill)), cache)
                    .toFloatArray();
            assertClose(Arrays.copyOf(full, prefill * 512), first, TOLERANCE);
            for (int position = prefill; position < TOKENS.length; position++) {
                float[] step = model.forward(manager.create(new int[] {TOKENS[position]}, new Shape(1, 1)), cache)
                        .toFloatArray();
                assertClose(Arrays.copyOfRange(full, position * 512, (position + 1) * 512), step, TOLERANCE);
            }
            assertEquals(TOKENS.length, cache.length());
        }
    }

    @Test
    void setLinearWeight_replacesTheWeightUsedByForward() {
        try (NDManager manager = model.newManager()) {
            float[] before = logits(manager, TOKENS);
            NDArray original = model.linearWeight(1, "o_proj", manager);
            assertEquals(new Shape(64, 64), original.getShape());
            model.setLinearWeight(1, "o_proj", new float[64 * 64]);
            assertArrayEquals(new float[64 * 64], model.linearWeight(1, "o_proj", manager).toFloatArray());
            assertNotEquals(before[0], logits(manager, TOKENS)[0]);
            model.setLinearWeight(1, "o_proj", original);
            assertClose(before, logits(manager, TOKENS), 0f);
        }
    }

    @Test
    void setLinearWeight_wrongShapeOrName_refusedWithClearMessage() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> model.setLinearWeight(0, "k_proj", new float[64 * 64]));
        assertEquals("k_proj of block 0 must be (32, 64) (2048 values), got (32, 64) (4096 values)", shape.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> model.setLinearWeight(0, "fc1", new float[1]));
        assertTrue(name.getMessage().startsWith("unknown linear 'fc1'"), name.getMessage());
    }

    @Test
    void forward_1000Calls_leaveNoArraysBehind() {
        try (NDManager manager = model.newManager()) {
            NDArray ids = manager.create(TOKENS, new Shape(1, TOKENS.length));
            model.forward(ids).close();
            int baseline = model.openArrayCount();
            for (int call = 0; call < 1000; call++) {
                model.forward(ids).close();
            }
            assertEquals(baseline, model.openArrayCount(), "arrays alive after 1,000 forwards");
            try (KvCache cache = model.newCache(manager)) {
                model.forward(ids, cache).close();
            }
            assertEquals(baseline, model.openArrayCount(), "arrays alive after a cached forward");
        }
    }

    @Test
    void unloadLayer_reloadsFromCheckpointWithSameResult() {
        try (NDManager manager = model.newManager()) {
            float[] before = logits(manager, TOKENS);
            model.unloadLayer(3);
            assertClose(before, logits(manager, TOKENS), 0f);
        }
    }

    @Test
    void replacedWeight_survivesUnloadLayerButNotDiscardLayer() throws IOException {
        try (ModelFolder own = ModelFolder.open(TestData.stories260K()); CausalLm fresh = own.load(Device.cpu());
                NDManager manager = fresh.newManager()) {
            float[] original = fresh.linearWeight(2, "up_proj", manager).toFloatArray();
            float[] zeros = new float[original.length];
            fresh.setLinearWeight(2, "up_proj", zeros);
            fresh.unloadLayer(2);
            assertArrayEquals(zeros, fresh.linearWeight(2, "up_proj", manager).toFloatArray(), "unloadLayer keeps it");
            fresh.discardLayer(2);
            assertArrayEquals(original, fresh.linearWeight(2, "up_proj", manager).toFloatArray(),
                    "discardLayer reads the checkpoint's again");
        }
    }

    @Test
    void forward_batchLargeEnoughToChunk_equalsEachSequenceAloneAndHooksSeeAllTokens() {
        // 5 x 512 exceeds one chunk (attention scores 8 heads x 512 x 512 per sequence), so blocks run in chunks
        int batch = 5;
        int seq = 512;
        int[] ids = new int[batch * seq];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 3 + random.nextInt(500);
        }
        try (NDManager manager = model.newManager()) {
            NDArray batched = model.embed(manager.create(ids, new Shape(batch, seq)));
            long[] tokensSeen = new long[1];
            NDArray out = model.block(0, batched, (layer, linear, input) -> {
                if (linear.equals("q_proj")) {
                    tokensSeen[0] += input.getShape().get(0);
                }
            });
            assertEquals(batch * seq, tokensSeen[0]);
            float[] all = out.toFloatArray();
            for (int row = 0; row < batch; row++) {
                int[] one = Arrays.copyOfRange(ids, row * seq, (row + 1) * seq);
                float[] alone = model.block(0, model.embed(manager.create(one, new Shape(1, seq))), dev.calibra.model.LinearHook.NONE)
                        .toFloatArray();
                assertClose(alone, Arrays.copyOfRange(all, row * seq * 64, (row + 1) * seq * 64), TOLERANCE);
            }
        }
    }
}
