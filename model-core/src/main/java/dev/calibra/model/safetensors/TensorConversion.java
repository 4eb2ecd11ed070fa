package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Converts raw little-endian tensor bytes to Java arrays and NDArrays. */
final class TensorConversion {

    private TensorConversion() {}

    static float[] toFloats(TensorInfo info, ByteBuffer raw) {
        ByteBuffer bytes = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> bytes.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) bytes.getDouble(i * 8);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(bytes.getShort(i * 2));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(bytes.getShort(i * 2));
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.getLong(i * 8);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.getInt(i * 4);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.get(i) & 0xFF;
                }
            }
        }
        return out;
    }

    static NDArray toNDArray(TensorInfo info, ByteBuffer raw, NDManager manager) {
        Shape shape = new Shape(info.shape());
        return switch (info.dtype()) {
            case F32, F64, F16, BF16 -> manager.create(toFloats(info, raw), shape);
            case I64 -> manager.create(nativeCopy(raw), shape, DataType.INT64);
            case I32 -> manager.create(nativeCopy(raw), shape, DataType.INT32);
            case I8 -> manager.create(nativeCopy(raw), shape, DataType.INT8);
            case U8 -> manager.create(nativeCopy(raw), shape, DataType.UINT8);
        };
    }

    /** DJL reads buffers in native order: copy the little-endian bytes into a native-order direct buffer. */
    private static ByteBuffer nativeCopy(ByteBuffer raw) {
        ByteBuffer source = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(source.remaining()).order(ByteOrder.nativeOrder());
        copy.put(source).flip();
        return copy;
    }
}
