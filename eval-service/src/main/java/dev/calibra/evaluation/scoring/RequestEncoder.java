package dev.calibra.evaluation.scoring;

import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Text (context, continuation) to token ids as lm-evaluation-harness's {@code TemplateLM._encode_pair}:
 * trailing spaces of the context move to the continuation, the pair is encoded whole and the context
 * alone (no BOS, as lm-eval's causal HF models), and the continuation is the whole's tokens after the
 * context's. An empty context becomes the BOS token (lm-eval's prefix token).
 */
public final class RequestEncoder {

    private final Tokenizer tokenizer;

    public RequestEncoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public LogLikelihoodRequest encode(String context, String continuation, String where) {
        if (context.isEmpty()) {
            return new LogLikelihoodRequest(new int[] {tokenizer.bosId()}, tokenizer.encode(continuation, false));
        }
        String trimmed = context.stripTrailing();
        int spaces = context.length() - trimmed.length();
        if (spaces > 0) {
            continuation = context.substring(trimmed.length()) + continuation;
            context = trimmed;
        }
        int[] whole = tokenizer.encode(context + continuation, false);
        int[] contextIds = tokenizer.encode(context, false);
        if (contextIds.length == 0) {
            contextIds = new int[] {tokenizer.bosId()};
            return new LogLikelihoodRequest(contextIds, whole);
        }
        if (whole.length <= contextIds.length) {
            throw new IllegalArgumentException(where + ": continuation '" + continuation + "' adds no tokens to its context");
        }
        return new LogLikelihoodRequest(contextIds, Arrays.copyOfRange(whole, contextIds.length, whole.length));
    }
}
