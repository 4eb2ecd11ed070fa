package dev.calibra.model.config;

/** The transformer block a model is built from; OPT and GPT-2 blocks would be added as siblings. */
public enum BlockFamily {
    /** Pre-RMSNorm, rotary, grouped-query attention, SiLU-gated MLP (Llama, Mistral, Qwen2). */
    LLAMA
}
