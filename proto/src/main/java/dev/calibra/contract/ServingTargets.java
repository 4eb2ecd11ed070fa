package dev.calibra.contract;

import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.OutputFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a compression aimed at a serving stack ({@code target}) must be, before any model is read: the target's
 * servable defaults fill the parameters left unset, and settings it cannot serve are refused, naming the
 * parameter. What depends on the model's shapes is judged where the model is read (model-core's Servability).
 */
public final class ServingTargets {

    public static final String VLLM = "vllm";
    /** vLLM's Marlin kernels (utils/marlin_utils.py MARLIN_SUPPORTED_GROUP_SIZES); its GPTQ and AWQ paths share them. */
    private static final Set<Integer> VLLM_GROUP_SIZES = Set.of(-1, 32, 64, 128);

    private ServingTargets() {}

    public static List<String> names() {
        return List.of(VLLM);
    }

    /**
     * The parameters a compression for {@code target} runs with: unchanged for no target; for vLLM, 4 bits,
     * group 128 and a symmetric grid where unset (the grid vLLM's GPTQ kernels serve). IllegalArgumentException
     * ("target: ...") for an unknown target or what the target does not serve.
     */
    public static CompressionParameters apply(String target, String method, OutputFormat format,
            CompressionParameters parameters) {
        String name = target.strip().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            return parameters;
        }
        if (!name.equals(VLLM)) {
            throw new IllegalArgumentException("target: '" + target + "' is not a known target; known: " + String.join(", ", names()));
        }
        if (format == OutputFormat.OUTPUT_FORMAT_DENSE) {
            return parameters;   // plain weights: every loader serves them
        }
        switch (method) {
            case "gptq", "rtn" -> {
                CompressionParameters.Builder p = parameters.toBuilder();
                if (!p.hasBits()) {
                    p.setBits(4);
                }
                if (!p.hasGroupSize()) {
                    p.setGroupSize(128);
                }
                // vLLM's GPTQ types carry no zero points: the grid must be symmetric
                p.setSym(true);
                requireVllm(p.getBits() == 4 || p.getBits() == 8, "bits: vLLM serves 4- and 8-bit GPTQ; got " + p.getBits());
                requireVllm(VLLM_GROUP_SIZES.contains(p.getGroupSize()),
                        "group_size: vLLM's GPTQ kernels take -1, 32, 64 or 128; got " + p.getGroupSize());
                requireVllm(!(p.hasActOrder() && p.getActOrder() && p.getGroupSize() != -1),
                        "act_order: vLLM 0.30 refuses act-order with groups; use group_size -1 or no act-order");
                return p.build();
            }
            case "awq" -> {
                CompressionParameters.Builder p = parameters.toBuilder();
                if (!p.hasGroupSize()) {
                    p.setGroupSize(128);
                }
                requireVllm(VLLM_GROUP_SIZES.contains(p.getGroupSize()),
                        "group_size: vLLM's AWQ Marlin kernels take -1, 32, 64 or 128; got " + p.getGroupSize());
                return p.build();
            }
            case "spqr" -> throw new IllegalArgumentException("target: vllm has no loader for SpQR's compact form (its folder"
                    + " serves only as a dense model); use gptq or awq, or no target");
            default -> {
                return parameters;   // pruning: plain weights with zeros
            }
        }
    }

    private static void requireVllm(boolean servable, String problem) {
        if (!servable) {
            throw new IllegalArgumentException("target vllm: " + problem);
        }
    }
}
