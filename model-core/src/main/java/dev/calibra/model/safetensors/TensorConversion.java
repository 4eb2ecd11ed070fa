package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.OwnedArrays;
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

    /** An NDArray libtorch owns: float types become float32 (bf16 widened in Java, since DJL cannot hold it). */
    static NDArray toNDArray(TensorInfo info, ByteBuffer raw, NDManager manager) {
        Shape shape = new Shape(info.shape());
        return switch (info.dtype()) {
            case F32 -> OwnedArrays.of(manager, raw, shape, DataType.FLOAT32, DataType.FLOAT32);
            case F64 -> OwnedArrays.of(manager, raw, shape, DataType.FLOAT64, DataType.FLOAT32);
            case F16 -> OwnedArrays.of(manager, raw, shape, DataType.FLOAT16, DataType.FLOAT32);
            case BF16 -> OwnedArrays.ofBfloat16(manager, raw, shape);
            case I64 -> OwnedArrays.of(manager, raw, shape, DataType.INT64, DataType.INT64);
            case I32 -> OwnedArrays.of(manager, raw, shape, DataType.INT32, DataType.INT32);
            case I8 -> OwnedArrays.of(manager, raw, shape, DataType.INT8, DataType.INT8);
            case U8 -> OwnedArrays.of(manager, raw, shape, DataType.UINT8, DataType.UINT8);
        };
    }
}
