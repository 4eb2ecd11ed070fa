package dev.calibra.model.decoder;

/**
 * One linear of a transformer block as a family describes it: where it sits, its shape, what feeds it.
 * Compression reads these (which linears, in which sequential groups, what precedes each one) and never
 * the family's code.
 *
 * @param name         name inside the block's module, unique per block: "q_proj", "qkv_proj", "fc1"
 * @param module       module path inside the block, as the checkpoint names it: "self_attn.q_proj", "fc1"
 * @param role         what the forward pass does with it
 * @param outFeatures  rows of the weight
 * @param inFeatures   columns of the weight
 * @param bias         whether the checkpoint carries a bias for it (kept as is through compression)
 * @param group        GPTQ's true-sequential group, 0-based: linears of one group share an input and are
 *                     captured together (q/k/v, then o, then gate/up, then down)
 * @param precededBy   the module whose output is this linear's input: a norm ("input_layernorm") or a linear
 *                     ("self_attn.v_proj" feeds o_proj through attention); AWQ folds scales into it
 */
public record LinearSpec(String name, String module, Role role, int outFeatures, int inFeatures, boolean bias, int group,
        String precededBy) {

    /** What a linear computes in the block. */
    public enum Role {
        QUERY, KEY, VALUE, FUSED_QKV, OUTPUT, GATE, UP, FUSED_GATE_UP, DOWN
    }

    public LinearSpec {
        if (outFeatures <= 0 || inFeatures <= 0) {
            throw new IllegalArgumentException(module + ": shape must be positive, got [" + outFeatures + ", " + inFeatures + "]");
        }
    }

    public long parameters() {
        return (long) outFeatures * inFeatures;
    }
}
