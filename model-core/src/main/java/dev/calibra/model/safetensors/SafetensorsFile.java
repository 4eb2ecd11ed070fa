package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped safetensors file. Only the header is read on open; each tensor is mapped on its own
 * when it is read, so files larger than 2 GB work (one tensor must stay under 2 GB).
 */
public final class SafetensorsFile implements TensorSource {

    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
    }

    /** Opens and validates a file; a file that lies throws {@link SafetensorsFormatException}. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            String source = path.getFileName().toString();
            long fileBytes = channel.size();
            ByteBuffer prefix = ByteBuffer.allocate(SafetensorsHeader.LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0);
            long headerBytes = SafetensorsHeader.checkHeaderLength(
                    fileBytes < SafetensorsHeader.LENGTH_PREFIX_BYTES ? 0 : prefix.getLong(0), fileBytes, source);
            ByteBuffer json = ByteBuffer.allocate((int) headerBytes);
            readFully(channel, json, SafetensorsHeader.LENGTH_PREFIX_BYTES);
            long dataBytes = fileBytes - SafetensorsHeader.LENGTH_PREFIX_BYTES - headerBytes;
            SafetensorsHeader header = SafetensorsHeader.parse(json.array(), dataBytes, source);
            return new SafetensorsFile(path, channel, header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                break;
            }
        }
        buffer.flip();
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public Set<String> tensorNames() {
        return header.tensors().keySet();
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return info;
    }

    /** The tensor's raw little-endian bytes, mapped read-only. */
    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.byteCount() > Integer.MAX_VALUE) {
            throw new SafetensorsFormatException(path.getFileName() + ": tensor '" + name + "' at byte offset "
                    + info.fileOffset() + " is " + info.byteCount() + " bytes, over the 2 GB a single read allows");
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, info.fileOffset(), info.byteCount());
        return mapped.order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        return TensorConversion.toFloats(info(name), rawBytes(name));
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        return TensorConversion.toNDArray(info(name), rawBytes(name), manager);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
