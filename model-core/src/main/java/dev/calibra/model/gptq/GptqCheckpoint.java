package dev.calibra.model.gptq;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.PackedCheckpoint;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;

/**
 * A GPTQ-packed checkpoint seen as a plain float one: every {@code <module>.qweight} (with its
 * {@code qzeros}, {@code scales}, {@code g_idx}) appears as {@code <module>.weight} float32 {@code [out, in]},
 * dequantized when read; every other tensor passes through unchanged.
 */
public final class GptqCheckpoint extends PackedCheckpoint {

    private final GptqConfig config;

    public GptqCheckpoint(TensorSource packed, GptqConfig config) throws ModelFormatException {
        super(packed, "GPTQ", ".qweight", ".qzeros", ".scales", ".g_idx");
        this.config = config;
    }

    public GptqConfig config() {
        return config;
    }

    @Override
    protected long[] denseShape(String module) {
        long[] scales = packed().info(module + ".scales").shape();
        long[] gIdx = packed().info(module + ".g_idx").shape();
        return new long[] {scales[1], gIdx[0]};
    }

    @Override
    protected float[] dequantize(String module) throws IOException {
        return read(module).dequantize();
    }

    /** The packed tensors of one module, shapes checked. */
    public PackedLinear read(String module) throws IOException {
        try {
            long[] scalesShape = packed().info(module + ".scales").shape();
            int groups = Math.toIntExact(scalesShape[0]);
            int out = Math.toIntExact(scalesShape[1]);
            int in = Math.toIntExact(packed().info(module + ".g_idx").elementCount());
            requireDtype(module + ".qweight", Dtype.I32);
            requireDtype(module + ".qzeros", Dtype.I32);
            requireDtype(module + ".scales", Dtype.F16);
            requireDtype(module + ".g_idx", Dtype.I32);
            return new PackedLinear(config.bits(), out, in, groups, ints(module + ".qweight"), ints(module + ".qzeros"),
                    halves(module + ".scales"), ints(module + ".g_idx"));
        } catch (IllegalArgumentException | ArithmeticException | ArrayIndexOutOfBoundsException e) {
            throw new ModelFormatException("GPTQ module " + module + ": " + e.getMessage(), e);
        }
    }
}
