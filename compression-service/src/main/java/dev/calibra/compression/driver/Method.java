package dev.calibra.compression.driver;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The compression methods, by the name requests use. */
public enum Method {
    MAGNITUDE(false, false, "locuslab/wanda lib/prune.py prune_magnitude",
            "Zero the smallest-magnitude weights (whole matrix, or N of every M per row); no calibration data."),
    WANDA(false, true, "Sun et al. 2024, locuslab/wanda prune_wanda",
            "Zero the weights with the smallest |W| * ||X||_2 per output row (or per M-group); no weight update."),
    SPARSEGPT(false, true, "Frantar & Alistarh 2023, IST-DASLab/sparsegpt fasterprune",
            "OBS pruning with the layer Hessian and lazy batched error compensation."),
    RTN(true, false, "IST-DASLab/gptq --nearest (the GPTQ paper's baseline)",
            "Round each weight to the nearest point of a per-row (or per-group) min/max grid; no calibration data."),
    GPTQ(true, true, "Frantar et al. 2022, IST-DASLab/gptq fasterquant",
            "Quantize column by column, spreading each error over the remaining columns with the inverse Hessian.");

    private final boolean quantization;
    private final boolean needsCalibration;
    private final String reference;
    private final String description;

    Method(boolean quantization, boolean needsCalibration, String reference, String description) {
        this.quantization = quantization;
        this.needsCalibration = needsCalibration;
        this.reference = reference;
        this.description = description;
    }

    /** The request name, e.g. "gptq". */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isQuantization() {
        return quantization;
    }

    /** Whether the method's result depends on calibration data (data-free methods still use it to report errors). */
    public boolean needsCalibration() {
        return needsCalibration;
    }

    public String reference() {
        return reference;
    }

    public String description() {
        return description;
    }

    /** The method named {@code name}; {@link IllegalArgumentException} naming it and the known ones. */
    public static Method fromWireName(String name) {
        for (Method method : values()) {
            if (method.wireName().equals(name)) {
                return method;
            }
        }
        throw new IllegalArgumentException("method: unknown method '" + name + "'; known: "
                + Arrays.stream(values()).map(Method::wireName).collect(Collectors.joining(", ")));
    }
}
