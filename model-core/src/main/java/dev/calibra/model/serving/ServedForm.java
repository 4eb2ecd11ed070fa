package dev.calibra.model.serving;

import dev.calibra.model.decoder.LinearSpec;
import java.util.List;
import java.util.Set;

/**
 * A compressed folder as serving stacks see it: how its linears are stored, the grid, the activation dtype the
 * base model declares, and the block's linears with which of them are packed (the others are plain weights).
 *
 * @param format     how quantized linears are stored
 * @param bits       bits per packed weight (0 for a dense folder)
 * @param groupSize  columns per scale, -1 per row
 * @param sym        symmetric grid (GPTQ's {@code sym})
 * @param descAct    act-order columns ({@code desc_act}, a permuting {@code g_idx})
 * @param baseDtype  the base checkpoint's float dtype, "bfloat16", "float16" or "float32"
 * @param linears    one block's linears
 * @param packed     names inside the block ("q_proj") of the linears stored packed, in every block
 */
public record ServedForm(Format format, int bits, int groupSize, boolean sym, boolean descAct, String baseDtype,
        List<LinearSpec> linears, Set<String> packed) {

    /** How the folder stores its quantized linears. */
    public enum Format {
        /** GPTQ v1 packing: qweight, qzeros, scales, g_idx. */
        GPTQ,
        /** AutoAWQ GEMM packing. */
        AWQ,
        /** compressed-tensors pack-quantized. */
        COMPRESSED_TENSORS,
        /** Every weight a plain tensor (pruned, SpQR's dequantized form, format dense). */
        DENSE
    }

    public ServedForm {
        linears = List.copyOf(linears);
        packed = Set.copyOf(packed);
    }
}
