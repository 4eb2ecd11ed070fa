package dev.calibra.compression.output;

/** How quantized linears are stored in the output folder. */
public enum StorageFormat {
    /** Pack every quantized linear whose shape (and zero points) allow it, in the method's format; store the others dequantized. */
    AUTO,
    /** GPTQ's packed format (gptq, rtn); refuse a model with a linear that cannot be packed. */
    GPTQ,
    /** AutoAWQ's GEMM format (awq); refuse a model with a linear that cannot be packed. */
    AWQ,
    /** compressed-tensors pack-quantized (gptq, rtn, awq; 2, 4 or 8 bits); every linear fits its layout. */
    COMPRESSED_TENSORS,
    /** Store every weight dequantized, as plain tensors. */
    DENSE
}
