package dev.calibra.model.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** HuggingFace {@code architectures} names Calibra runs, each mapped to its block family. */
public enum Architecture {
    LLAMA_FOR_CAUSAL_LM("LlamaForCausalLM", BlockFamily.LLAMA, false),
    MISTRAL_FOR_CAUSAL_LM("MistralForCausalLM", BlockFamily.LLAMA, false),
    /** Qwen2 has biases on q_proj, k_proj and v_proj. */
    QWEN2_FOR_CAUSAL_LM("Qwen2ForCausalLM", BlockFamily.LLAMA, true);

    private final String hfName;
    private final BlockFamily family;
    private final boolean qkvBias;

    Architecture(String hfName, BlockFamily family, boolean qkvBias) {
        this.hfName = hfName;
        this.family = family;
        this.qkvBias = qkvBias;
    }

    public String hfName() {
        return hfName;
    }

    public BlockFamily family() {
        return family;
    }

    /** Whether the architecture always carries q/k/v biases regardless of {@code attention_bias}. */
    public boolean qkvBias() {
        return qkvBias;
    }

    /** The architecture for an HF name; {@link IllegalArgumentException} naming it and the supported ones. */
    public static Architecture fromHfName(String name) {
        for (Architecture architecture : values()) {
            if (architecture.hfName.equals(name)) {
                return architecture;
            }
        }
        throw new IllegalArgumentException("unsupported architecture '" + name + "'; supported: " + supportedNames());
    }

    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::hfName).collect(Collectors.joining(", "));
    }
}
