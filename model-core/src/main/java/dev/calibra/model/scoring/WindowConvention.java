package dev.calibra.model.scoring;

/** How a token stream is cut into perplexity windows. */
public enum WindowConvention {
    /**
     * GPTQ / SparseGPT / Wanda: the text is tokenized once with BOS at its start only; windows of
     * seq_len tokens are cut from that stream, the leftover dropped; each window predicts its tokens 1..seq_len-1.
     */
    GPTQ,
    /**
     * A BOS opens every window: the stream (without BOS) is cut into windows of seq_len - 1 tokens,
     * each prefixed with BOS, so each window predicts all of its seq_len - 1 text tokens.
     */
    BOS_PER_WINDOW
}
