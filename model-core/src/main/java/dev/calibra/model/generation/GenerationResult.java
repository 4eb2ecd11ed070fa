package dev.calibra.model.generation;

/** The new tokens (prompt excluded) and why generation stopped. */
public record GenerationResult(int[] tokens, StopReason stopReason) {

    public enum StopReason { EOS, MAX_NEW_TOKENS, CONTEXT_FULL }

    public GenerationResult {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
