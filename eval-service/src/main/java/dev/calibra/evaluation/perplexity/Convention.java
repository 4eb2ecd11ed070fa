package dev.calibra.evaluation.perplexity;

/** The two perplexity conventions, named in every recorded result. */
public enum Convention {
    /** The documents joined by "\n\n", tokenized once with BOS at the start only, windows of seq_len, leftover dropped. */
    GPTQ("gptq"),
    /** lm-eval loglikelihood_rolling: per document, every token scored exactly once. */
    ROLLING("rolling");

    private final String wireName;

    Convention(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
