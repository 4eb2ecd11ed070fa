package dev.calibra.model.scoring;

/** Score {@code continuation} given {@code context} (token ids; the context must not be empty). */
public record LogLikelihoodRequest(int[] context, int[] continuation) {

    public LogLikelihoodRequest {
        if (context.length == 0) {
            throw new IllegalArgumentException("context must hold at least one token (prepend BOS for an empty text)");
        }
        if (continuation.length == 0) {
            throw new IllegalArgumentException("continuation must hold at least one token");
        }
        context = context.clone();
        continuation = continuation.clone();
    }
}
