package dev.calibra.evaluation.service;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator.TokenStream;
import dev.calibra.evaluation.scoring.TaskEvaluator;
import dev.calibra.evaluation.task.Example;
import dev.calibra.evaluation.task.TaskReader;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What consecutive evaluations would otherwise derive again from the same inputs: the parsed task files,
 * their requests as token ids, and the GPTQ token stream of each perplexity text. In a study every model
 * shares the base model's tokenizer, task files and texts, so each is read and encoded once per process
 * instead of once per job (the encoding of the perplexity texts was the largest overhead measured).
 * A task file is known by its path, size and modification time (a rewrite is read again); a text by the
 * sha256 of its content; a tokenizer by the sha256 of tokenizer.json and what tokenizer_config.json set.
 */
public final class EncodedInputs {

    /** Characters of parsed examples kept (about twice that in bytes). */
    static final long MAX_EXAMPLE_CHARS = 32L << 20;
    /** Token ids kept, requests and streams each (4 bytes apiece). */
    static final long MAX_TOKENS = 16L << 20;

    /** A task file as read: the task, the file's stamp, the example limit. */
    record TaskFile(TaskSpec spec, Path file, long size, long modifiedMillis, int limit) {}

    /** What makes two tokenizers encode alike. */
    record TokenizerKey(String tokenizerJsonSha256, TokenizerFiles files) {}

    private record Requests(TokenizerKey tokenizer, TaskFile task) {}

    private record Stream(TokenizerKey tokenizer, String textSha256, int maxTokens) {}

    private final BoundedCache<TaskFile, List<Example>> examples = new BoundedCache<>(MAX_EXAMPLE_CHARS, EncodedInputs::chars);
    private final BoundedCache<Requests, List<LogLikelihoodRequest>> requests = new BoundedCache<>(MAX_TOKENS,
            EncodedInputs::tokens);
    private final BoundedCache<Stream, TokenStream> streams = new BoundedCache<>(MAX_TOKENS, s -> s.tokens().length);

    /** A task's first {@code limit} examples (0 = all), parsed once while the file is unchanged. */
    public Examples examples(TaskSpec spec, Path assets, int limit) throws IOException {
        TaskReader reader = new TaskReader(spec, assets);
        Path file = assets.resolve(spec.file()).toAbsolutePath().normalize();
        TaskFile before = stamp(spec, file, limit);
        if (before == null) {
            return new Examples(null, reader.read(limit));  // missing: the reader says so
        }
        List<Example> known = examples.get(before, () -> {
            List<Example> read = reader.read(limit);
            // changed while it was read: keep nothing under the old stamp
            return before.equals(stamp(spec, file, limit)) ? read : null;
        });
        return known == null ? new Examples(null, reader.read(limit)) : new Examples(before, known);
    }

    /** The examples' requests as {@code evaluator} encodes them, once per task file and tokenizer. */
    public List<LogLikelihoodRequest> requests(TaskEvaluator evaluator, TokenizerKey tokenizer, TaskSpec spec, Examples task) {
        if (task.file() == null) {
            return evaluator.requests(spec, task.examples());
        }
        return requests.get(new Requests(tokenizer, task.file()), () -> evaluator.requests(spec, task.examples()));
    }

    /** {@link PerplexityEvaluator#gptqStream}, once per text, token cap and tokenizer. */
    public TokenStream gptqStream(Tokenizer tokenizer, TokenizerKey key, List<String> documents, int maxTokens) {
        String text = String.join("\n\n", documents);
        String sha256 = ContentHash.ofBytes(text.getBytes(StandardCharsets.UTF_8));
        return streams.get(new Stream(key, sha256, maxTokens), () -> PerplexityEvaluator.gptqStream(tokenizer, documents, maxTokens));
    }

    public static TokenizerKey tokenizerKey(Tokenizer tokenizer, TokenizerFiles files) {
        return new TokenizerKey(tokenizer.sha256(), files);
    }

    /** Parsed examples and the file stamp they were read under (null: not cached). */
    public record Examples(TaskFile file, List<Example> examples) {}

    String stats() {
        return "examples " + examples.stats() + "; requests " + requests.stats() + "; streams " + streams.stats();
    }

    private static TaskFile stamp(TaskSpec spec, Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return new TaskFile(spec, file, Files.size(file), Files.getLastModifiedTime(file).toMillis(), limit);
    }

    private static long chars(List<Example> examples) {
        long chars = 0;
        for (Example example : examples) {
            for (int c = 0; c < example.choiceCount(); c++) {
                chars += example.contexts().get(c).length() + example.continuations().get(c).length();
            }
        }
        return chars;
    }

    private static long tokens(List<LogLikelihoodRequest> requests) {
        long tokens = 0;
        for (LogLikelihoodRequest request : requests) {
            tokens += request.context().length + request.continuation().length;
        }
        return tokens;
    }
}
