package dev.calibra.compression.method;

/**
 * AWQ settings (mit-han-lab/llm-awq auto_scale.py, auto_clip.py, quantizer.py; defaults as there).
 *
 * @param bits        bits per weight, asymmetric with an integer zero point ({@code zero_point=True})
 * @param groupSize   input columns per group ({@code q_group_size}), -1 for one group per row
 * @param scaleGrid   points of the alpha grid: alpha = i / scaleGrid for i in 0..scaleGrid-1 ({@code n_grid})
 * @param clipSearch  search a clipping range per row and group after scaling ({@code auto_clip}, {@code mse_range})
 */
public record AwqSettings(int bits, int groupSize, int scaleGrid, boolean clipSearch) {

    public AwqSettings {
        Quantizer.requireValidBits(bits);
        if (groupSize != -1 && groupSize < 1) {
            throw new IllegalArgumentException("group_size: must be -1 (per row) or >= 1, got " + groupSize);
        }
        if (scaleGrid < 1) {
            throw new IllegalArgumentException("scale_grid: must be >= 1, got " + scaleGrid);
        }
    }

    public static AwqSettings defaults(int bits) {
        return new AwqSettings(bits, 128, 20, true);
    }
}
