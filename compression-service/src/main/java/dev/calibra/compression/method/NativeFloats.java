package dev.calibra.compression.method;

import com.sun.jna.Memory;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A float32 array in native memory (malloc'd by JNA, freed by {@link #close()}), seen from Java as a
 * direct {@link FloatBuffer} that the MKL gemm of {@link dev.calibra.model.linalg.Linalg#gemm} writes in place.
 */
final class NativeFloats implements AutoCloseable {

    private final Memory memory;
    private final long bytes;
    final FloatBuffer buffer;

    /** {@code count} zeros. */
    NativeFloats(long count) {
        this(count, true);
    }

    private NativeFloats(long count, boolean zeroed) {
        this.bytes = Math.max(1, count) * Float.BYTES;
        this.memory = new Memory(bytes);
        if (zeroed) {
            memory.clear(bytes);
        }
        this.buffer = memory.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A native copy of {@code values} (no zeroing first: every element is written). */
    static NativeFloats of(float[] values) {
        NativeFloats floats = new NativeFloats(values.length, false);
        RowParallel.forEachRowRange(values.length, (from, to) -> floats.buffer.put(from, values, from, to - from));
        return floats;
    }

    /** Sets every element to 0. */
    void clear() {
        memory.clear(bytes);
    }

    @Override
    public void close() {
        memory.close();
    }
}
