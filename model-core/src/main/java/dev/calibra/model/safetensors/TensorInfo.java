package dev.calibra.model.safetensors;

import java.util.Arrays;

/**
 * One tensor's header entry. {@code dataBegin}/{@code dataEnd} are offsets inside the data section
 * (as in the header); {@code fileOffset} is where the bytes start in the file.
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long dataBegin, long dataEnd, long fileOffset) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (product of the shape; 1 for a scalar). */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        return count;
    }

    public long byteCount() {
        return dataEnd - dataBegin;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that && name.equals(that.name) && dtype == that.dtype
                && Arrays.equals(shape, that.shape) && dataBegin == that.dataBegin && dataEnd == that.dataEnd
                && fileOffset == that.fileOffset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + fileOffset;
    }
}
