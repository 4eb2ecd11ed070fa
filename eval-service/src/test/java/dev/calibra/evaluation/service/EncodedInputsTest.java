package dev.calibra.evaluation.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import dev.calibra.evaluation.Assets;
import dev.calibra.evaluation.perplexity.Convention;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator;
import dev.calibra.evaluation.perplexity.PerplexityScores;
import dev.calibra.evaluation.scoring.TaskEvaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caches on the real stories260K tokenizer, task files and texts: kept while unchanged, equal to no cache. */
class EncodedInputsTest {

    private static final TaskSpec COPA = TaskCatalog.builtIn().get("copa");
    private static ModelFolder folder;
    private static CausalLm model;
    private static Tokenizer tokenizer;
    private static EncodedInputs.TokenizerKey key;

    @TempDir
    Path assets;

    @BeforeAll
    static void load() throws IOException {
        folder = ModelFolder.open(Assets.stories260K());
        model = folder.load(Device.cpu());
        tokenizer = folder.openTokenizer();
        key = EncodedInputs.tokenizerKey(tokenizer, folder.tokenizerFiles());
    }

    @AfterAll
    static void close() throws IOException {
        tokenizer.close();
        model.close();
        folder.close();
    }

    /** The shipped copa file's first {@code rows} lines under a temporary assets folder. */
    private Path copaFile(int rows) throws IOException {
        List<String> lines = Files.readAllLines(Assets.assets().resolve(COPA.file()), StandardCharsets.UTF_8);
        Path file = assets.resolve(COPA.file());
        Files.createDirectories(file.getParent());
        return Files.write(file, lines.subList(0, rows), StandardCharsets.UTF_8);
    }

    @Test
    void examples_unchangedFile_parsedOnce_requestsEncodedOnce() throws IOException {
        copaFile(10);
        EncodedInputs inputs = new EncodedInputs();
        EncodedInputs.Examples first = inputs.examples(COPA, assets, 0);
        EncodedInputs.Examples second = inputs.examples(COPA, assets, 0);
        assertSame(first.examples(), second.examples());
        TaskEvaluator evaluator = new TaskEvaluator(model, tokenizer, 4);
        List<LogLikelihoodRequest> requests = inputs.requests(evaluator, key, COPA, first);
        assertSame(requests, inputs.requests(evaluator, key, COPA, second));
        assertRequestsEqual(evaluator.requests(COPA, first.examples()), requests);
    }

    @Test
    void examples_fileRewritten_readAgain() throws IOException {
        Path file = copaFile(10);
        EncodedInputs inputs = new EncodedInputs();
        EncodedInputs.Examples before = inputs.examples(COPA, assets, 0);
        assertEquals(10, before.examples().size());
        copaFile(6);
        EncodedInputs.Examples after = inputs.examples(COPA, assets, 0);
        assertEquals(6, after.examples().size());
        // same size, only the time moved: read again too
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        EncodedInputs.Examples touched = inputs.examples(COPA, assets, 0);
        assertNotSame(after.examples(), touched.examples());
        TaskEvaluator evaluator = new TaskEvaluator(model, tokenizer, 4);
        assertEquals(10, inputs.requests(evaluator, key, COPA, before).size() / 2);
        assertEquals(6, inputs.requests(evaluator, key, COPA, after).size() / 2);
    }

    @Test
    void examples_otherLimit_anotherEntry() throws IOException {
        copaFile(10);
        EncodedInputs inputs = new EncodedInputs();
        assertEquals(3, inputs.examples(COPA, assets, 3).examples().size());
        assertEquals(10, inputs.examples(COPA, assets, 0).examples().size());
    }

    @Test
    void gptqStream_cutToMaxTokens_samePerplexityAsTheWholeStream() throws IOException {
        List<String> text = List.of(TextFiles.read(Assets.assets().resolve("corpora/tinystories_valid_first.txt")));
        EncodedInputs inputs = new EncodedInputs();
        PerplexityEvaluator.TokenStream stream = inputs.gptqStream(tokenizer, key, text, 1024);
        assertEquals(1023, stream.tokens().length);
        assertSame(stream, inputs.gptqStream(tokenizer, key, List.of(text.get(0)), 1024));
        int[] whole = tokenizer.encode(text.get(0), false);
        assertEquals(whole.length, stream.encodedLength());
        assertArrayEquals(java.util.Arrays.copyOf(whole, 1023), stream.tokens());
        PerplexityEvaluator evaluator = new PerplexityEvaluator(model, tokenizer, 4);
        PerplexityScores uncut = evaluator.evaluate(text, Convention.GPTQ, 256, 1024, "tinystories", f -> { });
        PerplexityScores cut = evaluator.gptq(stream, 256, 1024, "tinystories", f -> { });
        assertEquals(uncut, cut);
    }

    @Test
    void gptqStream_otherText_anotherEntry() {
        EncodedInputs inputs = new EncodedInputs();
        var one = inputs.gptqStream(tokenizer, key, List.of("Once upon a time there was a cat."), 0);
        var two = inputs.gptqStream(tokenizer, key, List.of("Once upon a time there was a dog."), 0);
        assertEquals(one.tokens().length, one.encodedLength());
        assertNotSame(one, two);
        assertArrayEquals(tokenizer.encode("Once upon a time there was a dog.", false), two.tokens());
    }

    private static void assertRequestsEqual(List<LogLikelihoodRequest> expected, List<LogLikelihoodRequest> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).context(), actual.get(i).context());
            assertArrayEquals(expected.get(i).continuation(), actual.get(i).continuation());
        }
    }
}
