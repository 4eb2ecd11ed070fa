package dev.calibra.compression.output;

/** How quantized linears are stored in the output folder. */
public enum StorageFormat {
    /** Pack every quantized linear whose shape (and zero points) allow it; store the others dequantized. */
    AUTO,
    /** Pack every quantized linear; refuse a model that has one that cannot be packed. */
    GPTQ,
    /** Store every weight dequantized (float32). */
    DENSE
}
