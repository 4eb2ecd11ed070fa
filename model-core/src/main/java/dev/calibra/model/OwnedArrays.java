package dev.calibra.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * NDArrays whose memory libtorch owns, so that closing them frees it.
 *
 * <p>DJL's {@code manager.create(float[])} copies into a JVM direct buffer that the tensor then borrows;
 * that memory is freed only when the buffer is garbage collected, not when the array is closed, and the
 * JVM lets up to a heap's worth of such buffers pile up before it collects. Loading a 7B model block by
 * block left gigabytes of dead weights in them. Here the values go through a staging buffer that is freed
 * at once (or straight from the memory-mapped checkpoint), and the array is libtorch's own copy.
 */
public final class OwnedArrays {

    /** Elements widened per step from bfloat16: two small heap arrays, not one of the tensor's size. */
    private static final int BF16_CHUNK = 1 << 16;

    private OwnedArrays() {
    }

    /** Row-major float32 {@code values} of {@code shape}. */
    public static NDArray of(NDManager manager, float[] values, Shape shape) {
        long bytes = (long) values.length * Float.BYTES;
        try (Memory staging = new Memory(Math.max(Float.BYTES, bytes))) {
            ByteBuffer buffer = staging.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
            buffer.asFloatBuffer().put(values);
            return copy(manager, buffer, shape, DataType.FLOAT32, DataType.FLOAT32);
        }
    }

    /**
     * Little-endian bfloat16 {@code bytes} as float32. DJL aborts the JVM on any BFLOAT16 tensor, so the widening
     * (bf16 bits are a float32's upper half) happens here, in chunks straight into the staging buffer: no heap
     * array of the tensor's size (Llama 3.2 1B's embedding would take 1 GiB of heap).
     */
    public static NDArray ofBfloat16(NDManager manager, ByteBuffer bytes, Shape shape) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        ShortBuffer halves = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int count = halves.remaining();
        long outBytes = (long) count * Float.BYTES;
        try (Memory staging = new Memory(Math.max(Float.BYTES, outBytes))) {
            ByteBuffer buffer = staging.getByteBuffer(0, outBytes).order(ByteOrder.nativeOrder());
            IntBuffer widened = buffer.asIntBuffer();
            short[] in = new short[Math.min(count, BF16_CHUNK)];
            int[] out = new int[in.length];
            for (int done = 0; done < count; done += in.length) {
                int n = Math.min(in.length, count - done);
                halves.get(in, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (in[i] & 0xFFFF) << 16;
                }
                widened.put(out, 0, n);
            }
            return copy(manager, buffer, shape, DataType.FLOAT32, DataType.FLOAT32);
        }
    }

    /**
     * Little-endian {@code bytes} of {@code stored} elements (a mapped checkpoint region, read in place when it is
     * a direct buffer), converted by libtorch to {@code wanted}.
     */
    public static NDArray of(NDManager manager, ByteBuffer bytes, Shape shape, DataType stored, DataType wanted) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        if (bytes.isDirect()) {
            return copy(manager, bytes.slice(), shape, stored, wanted);
        }
        try (Memory staging = new Memory(Math.max(1, bytes.remaining()))) {
            ByteBuffer buffer = staging.getByteBuffer(0, bytes.remaining());
            buffer.put(bytes.duplicate()).flip();
            return copy(manager, buffer, shape, stored, wanted);
        }
    }

    /** A tensor over {@code direct} (borrowed), then libtorch's own copy of it; the borrowed one is closed. */
    private static NDArray copy(NDManager manager, ByteBuffer direct, Shape shape, DataType stored, DataType wanted) {
        try (NDArray borrowed = manager.create(direct, shape, stored)) {
            // torch's to() returns the same storage when nothing changes, so a plain copy needs clone()
            return stored == wanted ? borrowed.duplicate() : borrowed.toType(wanted, false);
        }
    }
}
