package dev.calibra.calibration.sampling;

import java.io.IOException;
import java.util.List;

/**
 * A sampling strategy: a pure, seeded, versioned function from a {@link DrawRequest} to rows. Every
 * parameter that changes the tokens is one of {@link #parameters()} and ends up in the recorded spec.
 */
public sealed interface Strategy permits RandomWindowStrategy, ConcatWindowStrategy, DisjointSetsStrategy,
        MixtureStrategy, SelfGeneratedStrategy, RandomTokensStrategy, ChatStrategy {

    String name();

    /** Bumped whenever the same request would give other tokens. */
    String version();

    String description();

    List<ParameterSpec> parameters();

    List<Sample> draw(DrawRequest request) throws IOException;

    ParameterSpec PREPEND_BOS = new ParameterSpec("prepend_bos", "bool", "false", "true, false",
            "put the tokenizer's BOS id first in every row (the row then holds seq_len - 1 corpus tokens)");
    ParameterSpec SEPARATOR = new ParameterSpec("separator", "string", "\\n\\n", "any text; \\n and \\t are escapes",
            "text placed between documents before the joined stream is tokenized");
    ParameterSpec CHUNK_CHARS = new ParameterSpec("chunk_chars", "int", "100000", "[1000, 100000000]",
            "the joined text is tokenized in chunks of about this many characters, cut after a separator");

    /** Rows of corpus text need seq_len - 1 tokens when BOS is prepended. */
    static int bodyLength(DrawRequest request) {
        if (!request.parameters().bool("prepend_bos")) {
            return request.seqLen();
        }
        if (request.seqLen() < 2) {
            // a BOS alone leaves no text to sample (and would divide windows by zero)
            throw new IllegalArgumentException("seq_len " + request.seqLen() + " leaves no tokens after the BOS that "
                    + "prepend_bos adds; use seq_len >= 2 or prepend_bos false");
        }
        return request.seqLen() - 1;
    }

    static int[] withBos(DrawRequest request, int[] body) {
        if (!request.parameters().bool("prepend_bos")) {
            return body;
        }
        int bos = request.tokenizer().bosId();
        if (bos < 0) {
            throw new IllegalArgumentException("prepend_bos is true but the tokenizer has no BOS token");
        }
        int[] row = new int[body.length + 1];
        row[0] = bos;
        System.arraycopy(body, 0, row, 1, body.length);
        return row;
    }
}
