package dev.calibra.model.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The safetensors element types Calibra reads; BF16 and F16 are widened to F32 on load. */
public enum Dtype {
    F64(8, true, "float64"),
    F32(4, true, "float32"),
    F16(2, true, "float16"),
    BF16(2, true, "bfloat16"),
    I64(8, false, "int64"),
    I32(4, false, "int32"),
    I8(1, false, "int8"),
    U8(1, false, "uint8");

    private final int bytes;
    private final boolean floating;
    private final String torchName;

    Dtype(int bytes, boolean floating, String torchName) {
        this.bytes = bytes;
        this.floating = floating;
        this.torchName = torchName;
    }

    /** The torch name, as config.json's torch_dtype spells it ("float32", "bfloat16"). */
    public String torchName() {
        return torchName;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The dtype named in a safetensors header ("F32", "BF16", ...). */
    public static Dtype fromHeaderName(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'; supported: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
