package dev.calibra.model.gptq;

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
 * A GPTQ-packed checkpoint seen as a plain float one: every {@code <module>.qweight} (with its
 * {@code qzeros}, {@code scales}, {@code g_idx}) appears as {@code <module>.weight} float32 {@code [out, in]},
 * dequantized when read; every other tensor passes through unchanged.
 */
public final class GptqCheckpoint implements TensorSource {

    private static final String[] PACKED_SUFFIXES = {".qweight", ".qzeros", ".scales", ".g_idx"};

    private final TensorSource packed;
    private final GptqConfig config;
    private final Set<String> names;

    public GptqCheckpoint(TensorSource packed, GptqConfig config) throws ModelFormatException {
        this.packed = packed;
        this.config = config;
        Set<String> visible = new LinkedHashSet<>();
        for (String name : packed.tensorNames()) {
            if (name.endsWith(".qweight")) {
                String module = name.substring(0, name.length() - ".qweight".length());
                for (String suffix : PACKED_SUFFIXES) {
                    if (!packed.contains(module + suffix)) {
                        throw new ModelFormatException("GPTQ checkpoint has " + name + " but no " + module + suffix);
                    }
                }
                visible.add(module + ".weight");
            } else if (!isPackedPart(name)) {
                visible.add(name);
            }
        }
        this.names = Collections.unmodifiableSet(visible);
    }

    private boolean isPackedPart(String name) {
        for (String suffix : PACKED_SUFFIXES) {
            if (name.endsWith(suffix) && packed.contains(name.substring(0, name.length() - suffix.length()) + ".qweight")) {
                return true;
            }
        }
        return false;
    }

    public GptqConfig config() {
        return config;
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
        long[] scales = packed.info(module + ".scales").shape();
        long[] gIdx = packed.info(module + ".g_idx").shape();
        long[] shape = {scales[1], gIdx[0]};
        return new TensorInfo(name, Dtype.F32, shape, 0, shape[0] * shape[1] * 4, 0);
    }

    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        String module = packedModule(name);
        if (module == null) {
            return packed.rawBytes(name);
        }
        return SafetensorsWriter.littleEndian(readFloats(name));
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        String module = packedModule(name);
        if (module == null) {
            return packed.readFloats(name);
        }
        return read(module).dequantize();
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        String module = packedModule(name);
        if (module == null) {
            return packed.load(name, manager);
        }
        TensorInfo info = info(name);
        return OwnedArrays.of(manager, readFloats(name), new Shape(info.shape()));
    }

    /** The packed tensors of one module, shapes checked. */
    public PackedLinear read(String module) throws IOException {
        try {
            long[] scalesShape = packed.info(module + ".scales").shape();
            int groups = Math.toIntExact(scalesShape[0]);
            int out = Math.toIntExact(scalesShape[1]);
            int in = Math.toIntExact(packed.info(module + ".g_idx").elementCount());
            requireDtype(module + ".qweight", Dtype.I32);
            requireDtype(module + ".qzeros", Dtype.I32);
            requireDtype(module + ".scales", Dtype.F16);
            requireDtype(module + ".g_idx", Dtype.I32);
            ShortBuffer scaleBits = packed.rawBytes(module + ".scales").order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            short[] scales = new short[scaleBits.remaining()];
            scaleBits.get(scales);
            return new PackedLinear(config.bits(), out, in, groups, ints(module + ".qweight"), ints(module + ".qzeros"),
                    scales, ints(module + ".g_idx"));
        } catch (IllegalArgumentException | ArithmeticException | ArrayIndexOutOfBoundsException e) {
            throw new ModelFormatException("GPTQ module " + module + ": " + e.getMessage(), e);
        }
    }

    private void requireDtype(String name, Dtype dtype) throws ModelFormatException {
        if (packed.info(name).dtype() != dtype) {
            throw new ModelFormatException("tensor '" + name + "' is " + packed.info(name).dtype() + ", GPTQ needs " + dtype);
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
