package dev.calibra.compression.output;

import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.HalfFloats;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The float dtype of the tensors a compressed folder stores plain (pruned or dequantized linears, changed norms). */
public enum OutputDtype {
    /** The base tensor's own dtype: a 16-bit base stays 16-bit, rounded to nearest even (ties to even). */
    BASE,
    /** float32 whatever the base. */
    FLOAT32;

    /** The dtype a tensor stored as {@code base} is written in. */
    public Dtype of(Dtype base) {
        return this == BASE && (base == Dtype.BF16 || base == Dtype.F16) ? base : Dtype.F32;
    }

    /**
     * Little-endian bytes of tensor {@code name}'s {@code values} in {@code dtype} (F32, BF16 or F16); a finite value
     * that float16 cannot hold is refused rather than stored as infinity.
     */
    public static ByteBuffer bytes(String name, float[] values, Dtype dtype) {
        if (dtype == Dtype.F32) {
            return SafetensorsWriter.littleEndian(values);
        }
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < values.length; k++) {
            short half = dtype == Dtype.BF16 ? HalfFloats.floatToBf16(values[k]) : HalfFloats.floatToF16(values[k]);
            if (dtype == Dtype.F16 && Float.isFinite(values[k]) && Float.isInfinite(HalfFloats.f16ToFloat(half))) {
                throw new IllegalArgumentException("dtype: " + name + "[" + k + "] = " + values[k]
                        + " overflows float16 (the base's dtype); ask for dtype float32");
            }
            out.putShort(half);
        }
        return out.flip();
    }
}
