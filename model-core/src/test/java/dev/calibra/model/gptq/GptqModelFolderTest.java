package dev.calibra.model.gptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.TestData;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsCheckpoint;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GPTQ-packed stories260K folder (q_proj of block 0 packed at 4 bits) opens and reads back dequantized. */
class GptqModelFolderTest {

    private static final String Q = "model.layers.0.self_attn.q_proj";

    /** Writes the folder; returns the expected dequantized q_proj weight. */
    private static float[] writePackedFolder(Path folder, boolean withQuantizationConfig) throws IOException {
        Path stories = TestData.stories260K();
        float[] expected;
        try (SafetensorsCheckpoint base = SafetensorsCheckpoint.open(stories)) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String name : base.tensorNames()) {
                if (!name.equals(Q + ".weight")) {
                    writer.add(name, base.info(name).dtype(), base.info(name).shape(), base.rawBytes(name));
                }
            }
            // per-row 4-bit min/max grid of the real q_proj [64, 64], one group
            float[] w = base.readFloats(Q + ".weight");
            int out = 64;
            int in = 64;
            int[] levels = new int[out * in];
            int[] zeros = new int[out];
            float[] scales = new float[out];
            for (int o = 0; o < out; o++) {
                float min = 0;
                float max = 0;
                for (int j = 0; j < in; j++) {
                    min = Math.min(min, w[o * in + j]);
                    max = Math.max(max, w[o * in + j]);
                }
                scales[o] = (max - min) / 15;
                zeros[o] = Math.max(1, Math.round(-min / scales[o]));
                for (int j = 0; j < in; j++) {
                    levels[o * in + j] = Math.max(0, Math.min(15, Math.round(w[o * in + j] / scales[o]) + zeros[o]));
                }
            }
            PackedLinear packed = PackedLinear.pack(4, out, in, levels, zeros, scales, new int[in]);
            expected = packed.dequantize();
            writer.addI32(Q + ".qweight", packed.qweightShape(), packed.qweight());
            writer.addI32(Q + ".qzeros", packed.qzerosShape(), packed.qzeros());
            ByteBuffer scaleBytes = ByteBuffer.allocate(out * 2).order(ByteOrder.LITTLE_ENDIAN);
            scaleBytes.asShortBuffer().put(packed.scalesF16());
            writer.add(Q + ".scales", Dtype.F16, packed.scalesShape(), scaleBytes);
            writer.addI32(Q + ".g_idx", new long[] {in}, packed.gIdx());
            writer.write(folder.resolve("model.safetensors"));
        }
        for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.write(folder.resolve(file), Files.readAllBytes(stories.resolve(file)));
        }
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(stories.resolve("config.json").toFile());
        if (withQuantizationConfig) {
            new GptqConfig(4, -1, false, false, List.of("self_attn.q_proj"), List.of()).writeTo(config);
        }
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), config);
        return expected;
    }

    @Test
    void open_gptqFolder_readsPackedLinearsDequantized_andOtherTensorsUnchanged(@TempDir Path folder) throws IOException {
        float[] expected = writePackedFolder(folder, true);
        try (ModelFolder model = ModelFolder.open(folder); ModelFolder stories = ModelFolder.open(TestData.stories260K());
                SafetensorsCheckpoint base = SafetensorsCheckpoint.open(TestData.stories260K())) {
            assertTrue(model.checkpoint().contains(Q + ".weight"));
            assertFalse(model.checkpoint().contains(Q + ".qweight"));
            assertArrayEquals(new long[] {64, 64}, model.checkpoint().info(Q + ".weight").shape());
            assertArrayEquals(expected, model.checkpoint().readFloats(Q + ".weight"));
            float[] original = base.readFloats(Q + ".weight");
            double error = 0;
            double signal = 0;
            for (int k = 0; k < original.length; k++) {
                error += (original[k] - expected[k]) * (original[k] - expected[k]);
                signal += original[k] * original[k];
            }
            assertTrue(error / signal < 0.01, "4-bit per-row grid keeps the weight: relative error " + error / signal);
            String k = "model.layers.0.self_attn.k_proj.weight";
            assertArrayEquals(base.readFloats(k), model.checkpoint().readFloats(k));
            assertEquals(stories.parameterCount(), model.parameterCount());
        }
    }

    @Test
    void open_packedTensorsWithoutQuantizationConfig_isRefusedNamingTheMissingWeight(@TempDir Path folder)
            throws IOException {
        writePackedFolder(folder, false);
        try (ModelFolder model = ModelFolder.open(folder)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> model.load(ai.djl.Device.cpu()));
            assertTrue(e.getMessage().contains(Q + ".weight"), e.getMessage());
        }
    }

    @Test
    void open_quantizationConfigOfAnotherMethod_isRefusedNamingIt(@TempDir Path folder) throws IOException {
        writePackedFolder(folder, true);
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(folder.resolve("config.json").toFile());
        ((ObjectNode) config.get("quantization_config")).put("quant_method", "bitsandbytes");
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), config);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(folder));
        assertTrue(e.getMessage().contains("quant_method 'bitsandbytes'") && e.getMessage().contains("gptq, awq"), e.getMessage());
    }
}
