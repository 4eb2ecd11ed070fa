package dev.calibra.compression.spec;

/** A method whose result is a min/max integer grid per row or group, so GPTQ's packed format can store it. */
public interface GridQuantization {

    int bits();

    /** Columns per group, -1 for one group per row. */
    int groupSize();

    boolean symmetric();

    /** Whether columns were quantized by decreasing Hessian diagonal (GPTQ's desc_act, g_idx). */
    boolean actOrder();

    /** GPTQ's dampening as a fraction of the mean Hessian diagonal; null for a grid made without a Hessian. */
    default Double dampPercent() {
        return null;
    }
}
