package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.OwnedArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A quantization-packed checkpoint (GPTQ, AWQ, compressed-tensors) seen as a plain float one: every module's
 * primary packed tensor ({@code <module>.qweight}, {@code <module>.weight_packed}), with the parts the format packs
 * beside it, appears as {@code <module>.weight} float32 {@code [out, in]},
 * dequantized when read; every other tensor passes through unchanged. A format says only its parts, the
 * dense shape of a module and how to dequantize it.
 */
public abstract class PackedCheckpoint implements TensorSource {

    private final TensorSource packed;
    private final String format;
    private final String[] parts;
    private final String primary;
    private final Set<String> names;

    /** @param parts the suffixes one packed module is stored under, the primary one ({@code .qweight}) first */
    protected PackedCheckpoint(TensorSource packed, String format, String... parts) throws ModelFormatException {
        this.packed = packed;
        this.format = format;
        this.parts = parts.clone();
        this.primary = parts[0];
        Set<String> visible = new LinkedHashSet<>();
        for (String name : packed.tensorNames()) {
            if (name.endsWith(primary)) {
                String module = name.substring(0, name.length() - primary.length());
                for (String part : parts) {
                    if (!packed.contains(module + part)) {
                        throw new ModelFormatException(format + " checkpoint has " + name + " but no " + module + part);
                    }
                }
                visible.add(module + ".weight");
            } else if (!isPackedPart(name)) {
                visible.add(name);
            }
        }
        this.names = Collections.unmodifiableSet(visible);
    }

    /** The dense {@code [out, in]} shape of a packed module. */
    protected abstract long[] denseShape(String module);

    /** A packed module's weight, dequantized, row-major {@code [out, in]}. */
    protected abstract float[] dequantize(String module) throws IOException;

    protected final TensorSource packed() {
        return packed;
    }

    private boolean isPackedPart(String name) {
        for (String part : parts) {
            if (name.endsWith(part) && packed.contains(name.substring(0, name.length() - part.length()) + primary)) {
                return true;
            }
        }
        return false;
    }

    private String packedModule(String name) {
        if (name.endsWith(".weight")) {
            String module = name.substring(0, name.length() - ".weight".length());
            if (packed.contains(module + primary)) {
                return module;
            }
        }
        return null;
    }

    @Override
    public final Set<String> tensorNames() {
        return names;
    }

    @Override
    public final TensorInfo info(String name) {
        String module = packedModule(name);
        if (module == null) {
            return packed.info(name);
        }
        long[] shape = denseShape(module);
        return new TensorInfo(name, Dtype.F32, shape, 0, shape[0] * shape[1] * 4, 0);
    }

    @Override
    public final ByteBuffer rawBytes(String name) throws IOException {
        return packedModule(name) == null ? packed.rawBytes(name) : SafetensorsWriter.littleEndian(readFloats(name));
    }

    @Override
    public final float[] readFloats(String name) throws IOException {
        String module = packedModule(name);
        return module == null ? packed.readFloats(name) : dequantize(module);
    }

    @Override
    public final NDArray load(String name, NDManager manager) throws IOException {
        String module = packedModule(name);
        if (module == null) {
            return packed.load(name, manager);
        }
        return OwnedArrays.of(manager, readFloats(name), new Shape(info(name).shape()));
    }

    protected final void requireDtype(String name, Dtype dtype) throws ModelFormatException {
        if (packed.info(name).dtype() != dtype) {
            throw new ModelFormatException("tensor '" + name + "' is " + packed.info(name).dtype() + ", " + format + " needs " + dtype);
        }
    }

    protected final int[] ints(String name) throws IOException {
        var buffer = packed.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] values = new int[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    /** A float16 tensor's raw bits. */
    protected final short[] halves(String name) throws IOException {
        ShortBuffer bits = packed.rawBytes(name).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        short[] values = new short[bits.remaining()];
        bits.get(values);
        return values;
    }

    @Override
    public final void close() throws IOException {
        packed.close();
    }
}
