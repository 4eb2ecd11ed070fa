package dev.calibra.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void write_thenOpen_returnsSameValuesShapesAndMetadata() throws IOException {
        float[] weights = {1.5f, -2.25f, 3.0f, 0f, 1e-3f, -7f};
        Path path = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addF32("w", new long[] {2, 3}, weights)
                .addI32("ids", new long[] {3}, new int[] {7, -1, 511})
                .add("i8", Dtype.I8, new long[] {2}, ByteBuffer.wrap(new byte[] {-5, 100}))
                .add("u8", Dtype.U8, new long[] {2}, ByteBuffer.wrap(new byte[] {(byte) 200, 3}))
                .add("i64", Dtype.I64, new long[] {1},
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40))
                .write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(Map.of("format", "pt"), file.metadata());
            assertArrayEquals(new long[] {2, 3}, file.info("w").shape());
            assertArrayEquals(weights, file.readFloats("w"));
            assertArrayEquals(new float[] {7, -1, 511}, file.readFloats("ids"));
            assertArrayEquals(new float[] {-5, 100}, file.readFloats("i8"));
            assertArrayEquals(new float[] {200, 3}, file.readFloats("u8"));
            assertArrayEquals(new float[] {1L << 40}, file.readFloats("i64"));
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray ids = file.load("ids", manager);
                assertEquals(DataType.INT32, ids.getDataType());
                assertArrayEquals(new int[] {7, -1, 511}, ids.toIntArray());
                assertEquals(DataType.UINT8, file.load("u8", manager).getDataType());
                assertArrayEquals(new long[] {1L << 40}, file.load("i64", manager).toLongArray());
            }
        }
    }

    @Test
    void write_headerIsPaddedWithSpacesTo8Bytes() throws IOException {
        int padded = 0;
        for (String name = "a"; name.length() <= 8; name += "a") {
            Path path = dir.resolve(name + ".safetensors");
            new SafetensorsWriter().addF32(name, new long[] {1}, new float[] {1f}).write(path);
            byte[] bytes = Files.readAllBytes(path);
            int headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + headerLength) % 8, name);
            assertEquals(8 + headerLength + 4, bytes.length);
            int end = 8 + headerLength - 1;
            while (bytes[end] == ' ') {
                end--;
                padded++;
            }
            assertEquals('}', bytes[end]);
        }
        assertTrue(padded > 0, "some header lengths need padding");
    }

    @Test
    void halfFloats_loadAsFloat32_neverBfloat16() throws IOException {
        float[] values = {1f, -0.5f, 3.140625f, 65504f, 6.1035156e-05f, 0f};
        Path path = dir.resolve("half.safetensors");
        new SafetensorsWriter()
                .addHalf("bf", Dtype.BF16, new long[] {6}, values)
                .addHalf("h", Dtype.F16, new long[] {6}, values)
                .write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path); NDManager manager = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1f, -0.5f, 3.140625f, 65536f, 6.1035156e-05f, 0f}, file.readFloats("bf"));
            assertArrayEquals(values, file.readFloats("h"));
            NDArray loaded = file.load("bf", manager);
            assertEquals(DataType.FLOAT32, loaded.getDataType());
        }
    }

    @Test
    void halfFloats_f16SubnormalAndRounding_matchIeee() {
        // 1 + 2^-11 lies halfway between two halves: ties to even gives 1.0
        assertEquals(1.0f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1f + 0x1.0p-11f)));
        assertEquals(0x1.0p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1e6f)));
        assertEquals(-2f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(-2f)));
    }

    @Test
    void write_shapeAndBytesDisagree_refusesNamingTensor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsWriter().addF32("w", new long[] {2, 2}, new float[3]));
        assertEquals("tensor 'w': shape [2, 2] of F32 needs 16 bytes, got 12", e.getMessage());
    }

    @Test
    void open_realModel_listsLayerTensorsWithShapes() throws IOException {
        Path model = dev.calibra.model.TestData.stories260K().resolve("model.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(model)) {
            assertArrayEquals(new long[] {32, 64}, file.info("model.layers.0.self_attn.k_proj.weight").shape());
            assertEquals(Dtype.F32, file.info("lm_head.weight").dtype());
        }
    }

    @Test
    void open_tensorPast2GbInSparseFile_isMappedAndRead() throws IOException {
        long far = 3_000_000_000L;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + far + "],\"data_offsets\":[0," + far + "]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + far + "," + (far + 8) + "]}}";
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path path = dir.resolve("sparse.safetensors");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(path.toFile(), "rw")) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, json.length);
            file.write(prefix.array());
            file.write(json);
            // the 3 GB of padding is a hole: the file is sparse on disk
            file.seek(8 + json.length + far);
            ByteBuffer values = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            values.putFloat(0, 1.25f).putFloat(4, -4f);
            file.write(values.array());
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(8 + json.length + far, file.info("w").fileOffset());
            assertArrayEquals(new float[] {1.25f, -4f}, file.readFloats("w"));
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> file.rawBytes("pad"));
            assertTrue(e.getMessage().contains("tensor 'pad'") && e.getMessage().contains("over the 2 GB"), e.getMessage());
        }
    }
}
