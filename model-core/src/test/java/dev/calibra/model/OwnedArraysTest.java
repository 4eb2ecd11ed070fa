package dev.calibra.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.safetensors.HalfFloats;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OwnedArraysTest {

    private static long directBufferBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    @Test
    void floats_areCopiedWithoutLeavingJvmDirectBuffersBehind() {
        float[] values = new float[16 << 20];      // 64 MiB
        Random random = new Random(1);
        for (int i = 0; i < values.length; i += 4099) {
            values[i] = random.nextFloat();
        }
        long before = directBufferBytes();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray array = OwnedArrays.of(manager, values, new Shape(4096, 4096));
            values[0] = 42f;                       // the array is a copy
            float[] back = array.toFloatArray();
            values[0] = back[0];
            assertArrayEquals(values, back);
            // DJL's manager.create(float[]) would hold 64 MiB here until a GC frees its direct buffer
            long held = directBufferBytes() - before;
            assertTrue(held < (1 << 20), "JVM direct buffers grew by " + held + " bytes");
        }
    }

    @Test
    void halfBytes_convertExactlyFromHeapAndFromDirectBuffers() {
        short[] halves = {0x0000, (short) 0x8000, 0x0001, 0x03ff, 0x3c00, (short) 0xc000, 0x7bff, 0x7c00,
                (short) 0xfc00, 0x3555, 0x1234};
        float[] expected = new float[halves.length];
        ByteBuffer heap = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < halves.length; i++) {
            heap.putShort(halves[i]);
            expected[i] = HalfFloats.f16ToFloat(halves[i]);
        }
        heap.flip();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(heap.duplicate()).flip();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (ByteBuffer bytes : new ByteBuffer[] {heap, direct}) {
                NDArray array = OwnedArrays.of(manager, bytes, new Shape(halves.length), DataType.FLOAT16,
                        DataType.FLOAT32);
                assertEquals(DataType.FLOAT32, array.getDataType());
                assertArrayEquals(expected, array.toFloatArray(), bytes.isDirect() ? "direct" : "heap");
                assertEquals(0, bytes.position(), "the caller's buffer is left as it was");
            }
        }
    }

    @Test
    void bfloat16_everyBitPatternWidensExactly_inChunksFromHeapAndDirectBuffers() {
        int count = 3 * 65536 + 7;                 // more than two chunks, the last one partial
        ByteBuffer heap = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
        int[] expected = new int[count];
        for (int i = 0; i < count; i++) {
            short bits = (short) (i * 40503);      // every pattern in each run of 65536
            heap.putShort(bits);
            expected[i] = Float.floatToRawIntBits(HalfFloats.bf16ToFloat(bits));
        }
        heap.flip();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(heap.duplicate()).flip();
        long before = directBufferBytes();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (ByteBuffer bytes : new ByteBuffer[] {heap, direct}) {
                NDArray array = OwnedArrays.ofBfloat16(manager, bytes, new Shape(count));
                assertEquals(DataType.FLOAT32, array.getDataType());
                float[] back = array.toFloatArray();
                int[] bits = new int[count];
                for (int i = 0; i < count; i++) {
                    bits[i] = Float.floatToRawIntBits(back[i]);   // NaN payloads too
                }
                assertArrayEquals(expected, bits, bytes.isDirect() ? "direct" : "heap");
                assertEquals(0, bytes.position(), "the caller's buffer is left as it was");
            }
            assertTrue(directBufferBytes() - before < (1 << 20), "no JVM direct buffer holds the values");
        }
    }
}
