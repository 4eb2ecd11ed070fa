package dev.calibra.model.awq;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.PackedCheckpoint;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;

/**
 * An AWQ-packed checkpoint seen as a plain float one: every {@code <module>.qweight} (with its {@code qzeros} and
 * {@code scales}) appears as {@code <module>.weight} float32 {@code [out, in]}, dequantized when read; every other
 * tensor (the norms with AWQ's scales folded in, biases, embeddings) passes through unchanged.
 */
public final class AwqCheckpoint extends PackedCheckpoint {

    private final AwqConfig config;

    public AwqCheckpoint(TensorSource packed, AwqConfig config) throws ModelFormatException {
        super(packed, "AWQ", ".qweight", ".qzeros", ".scales");
        this.config = config;
    }

    public AwqConfig config() {
        return config;
    }

    @Override
    protected long[] denseShape(String module) {
        long[] qweight = packed().info(module + ".qweight").shape();
        return new long[] {qweight[1] * AwqPackedLinear.PACK, qweight[0]};
    }

    @Override
    protected float[] dequantize(String module) throws IOException {
        return read(module).dequantize();
    }

    /** The packed tensors of one module, dtypes and shapes checked. */
    public AwqPackedLinear read(String module) throws IOException {
        try {
            requireDtype(module + ".qweight", Dtype.I32);
            requireDtype(module + ".qzeros", Dtype.I32);
            requireDtype(module + ".scales", Dtype.F16);
            long[] qweight = packed().info(module + ".qweight").shape();
            long[] scales = packed().info(module + ".scales").shape();
            int in = Math.toIntExact(qweight[0]);
            int out = Math.toIntExact(qweight[1] * AwqPackedLinear.PACK);
            if (scales.length != 2 || scales[1] != out || scales[0] * config.groupSize() != in) {
                throw new ModelFormatException("AWQ module " + module + ": scales " + java.util.Arrays.toString(scales)
                        + " do not match qweight " + java.util.Arrays.toString(qweight) + " with group_size " + config.groupSize());
            }
            return new AwqPackedLinear(out, in, config.groupSize(), ints(module + ".qweight"), ints(module + ".qzeros"),
                    halves(module + ".scales"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFormatException("AWQ module " + module + ": " + e.getMessage(), e);
        }
    }
}
