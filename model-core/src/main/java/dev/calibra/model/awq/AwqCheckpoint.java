package dev.calibra.model.awq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.OwnedArrays;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An AWQ-packed checkpoint seen as a plain float one: every {@code <module>.qweight} (with its {@code qzeros} and
 * {@code scales}) appears as {@code <module>.weight} float32 {@code [out, in]}, dequantized when read; every other
 * tensor (the norms with AWQ's scales folded in, biases, embeddings) passes through unchanged.
 */
public final class AwqCheckpoint implements TensorSource {

    private static final String[] PACKED_SUFFIXES = {".qweight", ".qzeros", ".scales"};

    private final TensorSource packed;
    private final AwqConfig config;
    private final Set<String> names;

    public AwqCheckpoint(TensorSource packed, AwqConfig config) throws ModelFormatException {
        this.packed = packed;
        this.config = config;
        Set<String> visible = new LinkedHashSet<>();
        for (String name : packed.tensorNames()) {
            if (name.endsWith(".qweight")) {
                String module = name.substring(0, name.length() - ".qweight".length());
                for (String suffix : PACKED_SUFFIXES) {
                    if (!packed.contains(module + suffix)) {
                        throw new ModelFormatException("AWQ checkpoint has " + name + " but no " + module + suffix);
                    }
                }
                visible.add(module + ".weight");
            } else if (!isPackedPart(name)) {
                visible.add(name);
            }
        }
        this.names = Collections.unmodifiableSet(visible);
    }

    public AwqConfig config() {
        return config;
    }

    private boolean isPackedPart(String name) {
        for (String suffix : PACKED_SUFFIXES) {
            if (name.endsWith(suffix) && packed.contains(name.substring(0, name.length() - suffix.length()) + ".qweight")) {
                return true;
            }
        }
        return false;
    }

    private String packedModule(String name) {
        if (name.endsWith(".weight")) {
            String module = name.substring(0, name.length() - ".weight".length());
            if (packed.contains(module + ".qweight")) {
                return module;
            }
        }
        return null;
    }

    @Override
    public Set<String> tensorNames() {
        return names;
    }

    @Override
    public TensorInfo info(String name) {
        String module = packedModule(name);
        if (module == null) {
            return packed.info(name);
        }
        long[] qweight = packed.info(module + ".qweight").shape();
        long[] shape = {qweight[1] * AwqPackedLinear.PACK, qweight[0]};
        return new TensorInfo(name, Dtype.F32, shape, 0, shape[0] * shape[1] * 4, 0);
    }

    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        return packedModule(name) == null ? packed.rawBytes(name) : SafetensorsWriter.littleEndian(readFloats(name));
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        String module = packedModule(name);
        return module == null ? packed.readFloats(name) : read(module).dequantize();
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        String module = packedModule(name);
        if (module == null) {
            return packed.load(name, manager);
        }
        return OwnedArrays.of(manager, readFloats(name), new Shape(info(name).shape()));
    }

    /** The packed tensors of one module, dtypes and shapes checked. */
    public AwqPackedLinear read(String module) throws IOException {
        try {
            requireDtype(module + ".qweight", Dtype.I32);
            requireDtype(module + ".qzeros", Dtype.I32);
            requireDtype(module + ".scales", Dtype.F16);
            long[] qweight = packed.info(module + ".qweight").shape();
            long[] scales = packed.info(module + ".scales").shape();
            int in = Math.toIntExact(qweight[0]);
            int out = Math.toIntExact(qweight[1] * AwqPackedLinear.PACK);
            if (scales.length != 2 || scales[1] != out || scales[0] * config.groupSize() != in) {
                throw new ModelFormatException("AWQ module " + module + ": scales " + java.util.Arrays.toString(scales)
                        + " do not match qweight " + java.util.Arrays.toString(qweight) + " with group_size " + config.groupSize());
            }
            ShortBuffer scaleBits = packed.rawBytes(module + ".scales").order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            short[] scalesF16 = new short[scaleBits.remaining()];
            scaleBits.get(scalesF16);
            return new AwqPackedLinear(out, in, config.groupSize(), ints(module + ".qweight"), ints(module + ".qzeros"), scalesF16);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFormatException("AWQ module " + module + ": " + e.getMessage(), e);
        }
    }

    private void requireDtype(String name, Dtype dtype) throws ModelFormatException {
        if (packed.info(name).dtype() != dtype) {
            throw new ModelFormatException("tensor '" + name + "' is " + packed.info(name).dtype() + ", AWQ needs " + dtype);
        }
    }

    private int[] ints(String name) throws IOException {
        var buffer = packed.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] values = new int[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    @Override
    public void close() throws IOException {
        packed.close();
    }
}
