package dev.calibra.model.safetensors;

/** IEEE half and bfloat16 conversions (Java 17 has no Float.float16ToFloat). */
public final class HalfFloats {

    private HalfFloats() {}

    /** {@code value} rounded to nearest even in {@code dtype} (F16, BF16), as float32; unchanged for F32. */
    public static float roundTo(Dtype dtype, float value) {
        return switch (dtype) {
            case BF16 -> bf16ToFloat(floatToBf16(value));
            case F16 -> f16ToFloat(floatToF16(value));
            case F32 -> value;
            default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
        };
    }

    /** bfloat16 is the upper 16 bits of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float32 -> bfloat16 with round-to-nearest-even (NaN kept quiet). */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE 754 binary16 -> float32, subnormals, infinities and NaN included. */
    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            // subnormal: mantissa * 2^-24
            float magnitude = mantissa * 0x1.0p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        // rebias exponent 15 -> 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** float32 -> IEEE binary16 with round-to-nearest-even; overflow becomes infinity. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        float abs = Math.abs(value);
        if (Float.isNaN(value)) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= 65520f) {
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x1.0p-14f) {
            // subnormal half: round(abs / 2^-24)
            return (short) (sign | Math.round(Math.rint(abs * 0x1.0p24f)));
        }
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = bits & 0x7FFFFF;
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        // round to nearest even on the 13 dropped bits
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
