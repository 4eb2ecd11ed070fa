package dev.calibra.model.llama;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The seven linears of a Llama block, with their HF module paths. */
public enum LinearName {
    Q_PROJ("self_attn", "q_proj"),
    K_PROJ("self_attn", "k_proj"),
    V_PROJ("self_attn", "v_proj"),
    O_PROJ("self_attn", "o_proj"),
    GATE_PROJ("mlp", "gate_proj"),
    UP_PROJ("mlp", "up_proj"),
    DOWN_PROJ("mlp", "down_proj");

    /** HF names in execution order. */
    public static final List<String> HF_NAMES = Arrays.stream(values()).map(LinearName::hfName).toList();

    private final String module;
    private final String hfName;

    LinearName(String module, String hfName) {
        this.module = module;
        this.hfName = hfName;
    }

    public String hfName() {
        return hfName;
    }

    /** Checkpoint name of this linear's weight in block {@code layer}. */
    public String weightName(int layer) {
        return "model.layers." + layer + "." + module + "." + hfName + ".weight";
    }

    public String biasName(int layer) {
        return "model.layers." + layer + "." + module + "." + hfName + ".bias";
    }

    /** The linear for an HF name; {@link IllegalArgumentException} naming it and the valid ones. */
    public static LinearName fromHfName(String name) {
        for (LinearName linear : values()) {
            if (linear.hfName.equals(name)) {
                return linear;
            }
        }
        throw new IllegalArgumentException("unknown linear '" + name + "'; Llama blocks have: "
                + Arrays.stream(values()).map(LinearName::hfName).collect(Collectors.joining(", ")));
    }
}
