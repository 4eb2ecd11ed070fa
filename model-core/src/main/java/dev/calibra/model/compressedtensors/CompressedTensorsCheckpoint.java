package dev.calibra.model.compressedtensors;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.HalfFloats;
import dev.calibra.model.safetensors.PackedCheckpoint;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A compressed-tensors pack-quantized checkpoint seen as a plain float one: every {@code <module>.weight_packed}
 * (with its scale, shape, and zero point or g_idx where the scheme has them) appears as {@code <module>.weight}
 * float32 {@code [out, in]}, dequantized when read; every other tensor passes through unchanged.
 */
public final class CompressedTensorsCheckpoint extends PackedCheckpoint {

    private final CompressedTensorsConfig config;

    public CompressedTensorsCheckpoint(TensorSource packed, CompressedTensorsConfig config) throws ModelFormatException {
        super(packed, "compressed-tensors", parts(config));
        this.config = config;
    }

    private static String[] parts(CompressedTensorsConfig config) {
        List<String> parts = new ArrayList<>(List.of(".weight_packed", ".weight_scale", ".weight_shape"));
        if (!config.symmetric()) {
            parts.add(".weight_zero_point");
        }
        if (config.actOrder()) {
            parts.add(".weight_g_idx");
        }
        return parts.toArray(String[]::new);
    }

    public CompressedTensorsConfig config() {
        return config;
    }

    @Override
    protected long[] denseShape(String module) {
        try {
            return shape(module);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long[] shape(String module) throws IOException {
        String name = module + ".weight_shape";
        Dtype dtype = packed().info(name).dtype();
        if ((dtype != Dtype.I64 && dtype != Dtype.I32) || packed().info(name).elementCount() != 2) {
            throw new ModelFormatException("tensor '" + name + "' must be two int64 (or int32) values, got "
                    + packed().info(name).elementCount() + " " + dtype);
        }
        ByteBuffer bytes = packed().rawBytes(name).order(ByteOrder.LITTLE_ENDIAN);
        return dtype == Dtype.I64 ? new long[] {bytes.getLong(), bytes.getLong()} : new long[] {bytes.getInt(), bytes.getInt()};
    }

    @Override
    protected float[] dequantize(String module) throws IOException {
        return read(module).dequantize();
    }

    /** The packed tensors of one module, shapes checked. */
    public CompressedTensorsLinear read(String module) throws IOException {
        try {
            long[] shape = shape(module);
            int out = Math.toIntExact(shape[0]);
            int in = Math.toIntExact(shape[1]);
            requireDtype(module + ".weight_packed", Dtype.I32);
            long[] scaleShape = packed().info(module + ".weight_scale").shape();
            if (scaleShape.length != 2 || scaleShape[0] != out) {
                throw new ModelFormatException("tensor '" + module + ".weight_scale' must be [" + out + ", groups], got "
                        + java.util.Arrays.toString(scaleShape));
            }
            int[] zeroPoints = new int[0];
            if (!config.symmetric()) {
                requireDtype(module + ".weight_zero_point", Dtype.I32);
                zeroPoints = ints(module + ".weight_zero_point");
            }
            int[] gIdx = null;
            if (config.actOrder()) {
                requireDtype(module + ".weight_g_idx", Dtype.I32);
                gIdx = ints(module + ".weight_g_idx");
            }
            Dtype scaleDtype = packed().info(module + ".weight_scale").dtype();
            return new CompressedTensorsLinear(config.bits(), out, in, config.groupSize(), Math.toIntExact(scaleShape[1]),
                    ints(module + ".weight_packed"), scales(module + ".weight_scale", scaleDtype), scaleDtype, zeroPoints, gIdx);
        } catch (IllegalArgumentException | ArithmeticException | ArrayIndexOutOfBoundsException e) {
            throw new ModelFormatException("compressed-tensors module " + module + ": " + e.getMessage(), e);
        }
    }

    private float[] scales(String name, Dtype dtype) throws IOException {
        return switch (dtype) {
            case F32 -> packed().readFloats(name);
            case F16, BF16 -> {
                short[] bits = halves(name);
                float[] values = new float[bits.length];
                for (int k = 0; k < bits.length; k++) {
                    values[k] = dtype == Dtype.F16 ? HalfFloats.f16ToFloat(bits[k]) : HalfFloats.bf16ToFloat(bits[k]);
                }
                yield values;
            }
            default -> throw new ModelFormatException("tensor '" + name + "' is " + dtype + "; scales are float32, float16 or bfloat16");
        };
    }
}
