package dev.calibra.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Writes a safetensors file: u64le header length, the header JSON padded with spaces so the data
 * section starts on an 8-byte boundary, then the tensors in name order. Writes to a temporary file
 * and renames it when complete.
 */
public final class SafetensorsWriter {

    /** A tensor whose bytes are made when the file is written, so only one is in memory at a time. */
    private record Entry(Dtype dtype, long[] shape, long byteCount, Supplier<ByteBuffer> bytes) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a float32 tensor. */
    public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
        return add(name, Dtype.F32, shape, littleEndian(values));
    }

    /** Adds float values stored as F16 or BF16 (rounded to nearest even). */
    public SafetensorsWriter addHalf(String name, Dtype dtype, long[] shape, float[] values) {
        if (dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("addHalf takes F16 or BF16, not " + dtype);
        }
        return add(name, dtype, shape, littleEndian(values, dtype));
    }

    /** Float values as safetensors stores them in {@code dtype}: F32, or F16 / BF16 rounded to nearest even. */
    public static ByteBuffer littleEndian(float[] values, Dtype dtype) {
        if (dtype == Dtype.F32) {
            return littleEndian(values);
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putShort(switch (dtype) {
                case F16 -> HalfFloats.floatToF16(value);
                case BF16 -> HalfFloats.floatToBf16(value);
                default -> throw new IllegalArgumentException("not a float dtype safetensors stores: " + dtype);
            });
        }
        return bytes.flip();
    }

    public SafetensorsWriter addI32(String name, long[] shape, int[] values) {
        return add(name, Dtype.I32, shape, littleEndian(values));
    }

    /** The values as safetensors stores them (F32), for {@link #add} and lazy tensors. */
    public static ByteBuffer littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes;
    }

    /** The values as safetensors stores them (I32). */
    public static ByteBuffer littleEndian(int[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        return bytes;
    }

    /** The values as safetensors stores them (F16/BF16/I16 bit patterns). */
    public static ByteBuffer littleEndian(short[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(values);
        return bytes;
    }

    /** Adds raw little-endian bytes of the given dtype; the byte count must match the shape. */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, ByteBuffer littleEndianBytes) {
        long byteCount = byteCount(name, dtype, shape);
        ByteBuffer bytes = littleEndianBytes.duplicate();
        if (byteCount != bytes.remaining()) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + byteCount + " bytes, got " + bytes.remaining());
        }
        return put(name, dtype, shape, byteCount, bytes::duplicate);
    }

    /**
     * Adds a tensor whose little-endian bytes {@code bytes} makes while the file is written (tensors are
     * written in name order, each made and dropped in turn); {@link #write} checks the byte count.
     */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, Supplier<ByteBuffer> bytes) {
        return put(name, dtype, shape, byteCount(name, dtype, shape), bytes);
    }

    /** The bytes a tensor of this shape takes, after checking its name and dimensions. */
    private static long byteCount(String name, Dtype dtype, long[] shape) {
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
        }
        long elements = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, dim);
        }
        return elements * dtype.bytes();
    }

    private SafetensorsWriter put(String name, Dtype dtype, long[] shape, long byteCount, Supplier<ByteBuffer> bytes) {
        if (tensors.putIfAbsent(name, new Entry(dtype, shape.clone(), byteCount, bytes)) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        return this;
    }

    /** Writes the file (atomically: temporary name, then rename). */
    public void write(Path target) throws IOException {
        byte[] header = headerBytes();
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(out, prefix);
            writeFully(out, ByteBuffer.wrap(header));
            for (Map.Entry<String, Entry> tensor : tensors.entrySet()) {
                Entry entry = tensor.getValue();
                ByteBuffer bytes = entry.bytes().get();
                if (bytes.remaining() != entry.byteCount()) {
                    throw new IllegalStateException("tensor '" + tensor.getKey() + "': expected " + entry.byteCount()
                            + " bytes, got " + bytes.remaining());
                }
                writeFully(out, bytes);
            }
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private byte[] headerBytes() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> tensor : tensors.entrySet()) {
            Entry entry = tensor.getValue();
            ObjectNode node = root.putObject(tensor.getKey());
            node.put("dtype", entry.dtype().name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(entry.shape()).forEach(shape::add);
            long end = offset + entry.byteCount();
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        // pad with spaces so 8 + header length is a multiple of 8
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
