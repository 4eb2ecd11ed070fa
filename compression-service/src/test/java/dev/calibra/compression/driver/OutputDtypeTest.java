package dev.calibra.compression.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.compression.method.SparsityPattern;

import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.OutputDtype;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.compression.spec.MagnitudeSpec;
import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.compression.spec.SparseGptSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.HalfFloats;
import dev.calibra.model.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pruned bfloat16 model stays bfloat16 (half of what float32 output took), every stored value is the float32
 * result rounded to nearest even, and float32 is there on request.
 */
class OutputDtypeTest {

    private static Path bf16Family() {
        return Path.of(System.getProperty("calibra.root", "..")).resolve("testvectors/families/llama3.2-v5-tied-bf16");
    }

    private record Written(CompressedModelWriter.Written written, Path folder) {}

    private static Written compress(MethodSpec spec, OutputDtype dtype, Path out) throws IOException {
        try (ModelFolder base = ModelFolder.open(bf16Family()); CausalLm model = base.load(Device.cpu())) {
            Random random = new Random(1);
            int[][] samples = new int[8][32];
            for (int[] sample : samples) {
                for (int k = 0; k < sample.length; k++) {
                    sample[k] = random.nextInt(model.vocabSize());
                }
            }
            List<LayerResult> results = new SequentialDriver(model, spec, new DriverListener() {}).run(samples, ResumeState.FRESH);
            Files.createDirectories(out);
            return new Written(CompressedModelWriter.write(base, spec, results, BlockWeights.NONE, StorageFormat.AUTO,
                    dtype, new ObjectMapper().createObjectNode(), out), out);
        }
    }

    @Test
    void sparseGpt_onBf16Base_isBf16_halfTheLinearBytes_roundedToNearestEven(@TempDir Path dir) throws IOException {
        MethodSpec spec = SparseGptSpec.of(new SparsityPattern.Unstructured(0.5));
        Written bf16 = compress(spec, OutputDtype.BASE, dir.resolve("base"));
        Written f32 = compress(spec, OutputDtype.FLOAT32, dir.resolve("float32"));
        assertEquals("bfloat16", bf16.written().dtype());
        assertEquals("float32", f32.written().dtype());

        long bf16Bytes = 0;
        long f32Bytes = 0;
        int rounded = 0;
        try (ModelFolder base = ModelFolder.open(bf16Family());
                SafetensorsCheckpoint a = SafetensorsCheckpoint.open(bf16.folder());
                SafetensorsCheckpoint b = SafetensorsCheckpoint.open(f32.folder())) {
            DecoderSpec decoder = base.config().decoder();
            for (int layer = 0; layer < decoder.dims().layers(); layer++) {
                for (LinearSpec linear : decoder.linears()) {
                    String name = decoder.weightName(layer, linear);
                    assertEquals(Dtype.BF16, a.info(name).dtype(), name);
                    assertEquals(Dtype.F32, b.info(name).dtype(), name);
                    ByteBuffer stored = a.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer exact = b.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN);
                    bf16Bytes += stored.remaining();
                    f32Bytes += exact.remaining();
                    while (exact.hasRemaining()) {
                        float value = exact.getFloat();
                        short half = stored.getShort();
                        assertEquals(HalfFloats.floatToBf16(value), half, name + ": " + value);
                        rounded += HalfFloats.bf16ToFloat(half) == value ? 0 : 1;
                    }
                }
            }
            // the rest of the checkpoint (norms, embedding) is copied as it was
            assertEquals(base.checkpoint().rawBytes("model.norm.weight"), a.rawBytes("model.norm.weight"));
        }
        assertEquals(f32Bytes, 2 * bf16Bytes, "bfloat16 linears take half of float32's bytes");
        assertTrue(rounded > 0, "SparseGPT's updates leave bfloat16's grid, so rounding was exercised");
        try (ModelFolder loaded = ModelFolder.open(bf16.folder()); CausalLm model = loaded.load(Device.cpu())) {
            assertEquals(decoderLayers(), model.numLayers());
        }
    }

    @Test
    void magnitude_onBf16Base_keepsEveryValueExactly(@TempDir Path dir) throws IOException {
        MethodSpec spec = MagnitudeSpec.of(new SparsityPattern.Unstructured(0.5));
        Written bf16 = compress(spec, OutputDtype.BASE, dir.resolve("base"));
        Written f32 = compress(spec, OutputDtype.FLOAT32, dir.resolve("float32"));
        try (ModelFolder base = ModelFolder.open(bf16Family());
                SafetensorsCheckpoint a = SafetensorsCheckpoint.open(bf16.folder());
                SafetensorsCheckpoint b = SafetensorsCheckpoint.open(f32.folder())) {
            String name = base.config().decoder().weightName(0, base.config().decoder().linears().get(0));
            // pruning only zeroes weights: every kept value is a bfloat16 value, so the 16-bit file loses nothing
            org.junit.jupiter.api.Assertions.assertArrayEquals(b.readFloats(name), a.readFloats(name));
        }
    }

    @Test
    void float16Overflow_isRefusedNamingTheTensor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputDtype.bytes("model.layers.0.mlp.down_proj.weight", new float[] {1f, 70000f}, Dtype.F16));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.down_proj.weight[1] = 70000.0 overflows float16"), e.getMessage());
        assertEquals(4, OutputDtype.bytes("w", new float[] {1f, 65504f}, Dtype.F16).remaining());
    }

    private static int decoderLayers() throws IOException {
        try (ModelFolder base = ModelFolder.open(bf16Family())) {
            return base.config().decoder().dims().layers();
        }
    }
}
