package dev.calibra.compression.output;

import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.nio.ByteBuffer;

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
        if (dtype == Dtype.F16) {
            for (int k = 0; k < values.length; k++) {
                // float16 rounds 65520 and beyond to infinity
                if (Float.isFinite(values[k]) && Math.abs(values[k]) >= 65520f) {
                    throw new IllegalArgumentException("dtype: " + name + "[" + k + "] = " + values[k]
                            + " overflows float16 (the base's dtype); ask for dtype float32");
                }
            }
        }
        return SafetensorsWriter.littleEndian(values, dtype);
    }

}
