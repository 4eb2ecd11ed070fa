package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;

/** Named tensors read on demand: one safetensors file, or a sharded checkpoint. */
public interface TensorSource extends AutoCloseable {

    Set<String> tensorNames();

    /** Header entry of a tensor; {@link IllegalArgumentException} naming it when absent. */
    TensorInfo info(String name);

    default boolean contains(String name) {
        return tensorNames().contains(name);
    }

    /** Raw little-endian bytes of a tensor. */
    ByteBuffer rawBytes(String name) throws IOException;

    /** Any numeric tensor as float32 (BF16/F16 widened, F64 narrowed, integers converted). */
    float[] readFloats(String name) throws IOException;

    /**
     * A tensor as an NDArray in {@code manager}: floating types become FLOAT32 (never BFLOAT16, which
     * aborts DJL's PyTorch engine), integers keep their type.
     */
    NDArray load(String name, NDManager manager) throws IOException;

    @Override
    void close() throws IOException;
}
