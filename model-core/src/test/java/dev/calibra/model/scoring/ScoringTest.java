package dev.calibra.model.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.TestData;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reference perplexities from assets/SOURCES.md: first 2,048 tokens, 8 windows of 256, float64 forward. */
class ScoringTest {

    /** The references are quoted to 3-4 significant digits. */
    private static final double PERPLEXITY_TOLERANCE = 0.006;

    private static ModelFolder folder;
    private static CausalLm model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        folder = ModelFolder.open(TestData.stories260K());
        model = folder.load(Device.cpu());
        tokenizer = folder.openTokenizer();
    }

    @AfterAll
    static void close() throws IOException {
        tokenizer.close();
        model.close();
        folder.close();
    }

    private static PerplexityResult perplexity(String corpus, WindowConvention convention) throws IOException {
        int[] stream = tokenizer.encode(TextFiles.read(TestData.corpus(corpus)), false);
        return new Perplexity(model, 8).evaluate(stream, tokenizer.bosId(), 256, convention, 2048);
    }

    private static void assertPerplexity(double expected, PerplexityResult actual) {
        assertEquals(8, actual.windows());
        assertEquals(8 * 255, actual.predictedTokens());
        assertEquals(expected, actual.perplexity(), expected * PERPLEXITY_TOLERANCE, actual.toString());
    }

    @Test
    void perplexity_gptqConvention_matchesReference() throws IOException {
        assertPerplexity(3.98, perplexity("tinystories_valid_first.txt", WindowConvention.GPTQ));
        assertPerplexity(107.1, perplexity("wikitext2_raw_test.txt", WindowConvention.GPTQ));
    }

    @Test
    void perplexity_bosPerWindow_matchesReference() throws IOException {
        assertPerplexity(4.36, perplexity("tinystories_valid_first.txt", WindowConvention.BOS_PER_WINDOW));
        assertPerplexity(115.5, perplexity("wikitext2_raw_test.txt", WindowConvention.BOS_PER_WINDOW));
    }

    @Test
    void windows_gptq_dropsLeftoverAndPutsBosOnlyFirst() {
        int[] stream = new int[10];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 100 + i;
        }
        List<int[]> windows = Perplexity.windows(stream, 1, 4, WindowConvention.GPTQ, 0);
        assertEquals(2, windows.size());
        assertEquals(List.of(1, 100, 101, 102), java.util.Arrays.stream(windows.get(0)).boxed().toList());
        assertEquals(List.of(103, 104, 105, 106), java.util.Arrays.stream(windows.get(1)).boxed().toList());
        List<int[]> perWindow = Perplexity.windows(stream, 1, 4, WindowConvention.BOS_PER_WINDOW, 0);
        assertEquals(3, perWindow.size());
        assertEquals(List.of(1, 103, 104, 105), java.util.Arrays.stream(perWindow.get(1)).boxed().toList());
    }

    @Test
    void logLikelihood_equalsSumOfLogSoftmaxFromForward() {
        int[] context = tokenizer.encode("Once upon a time, there was a little");
        int[] continuation = tokenizer.encode(" girl named Lily", false);
        LogLikelihood result = new LogLikelihoodScorer(model, 4).score(List.of(new LogLikelihoodRequest(context, continuation))).get(0);
        // independent check: log-softmax computed here in double from the logits
        int[] all = java.util.Arrays.copyOf(context, context.length + continuation.length);
        System.arraycopy(continuation, 0, all, context.length, continuation.length);
        double expected = 0;
        boolean greedy = true;
        try (NDManager manager = model.newManager()) {
            float[] logits = model.forward(manager.create(all, new Shape(1, all.length))).toFloatArray();
            int vocab = model.vocabSize();
            for (int p = context.length - 1; p < all.length - 1; p++) {
                double max = Double.NEGATIVE_INFINITY;
                int argMax = 0;
                for (int v = 0; v < vocab; v++) {
                    if (logits[p * vocab + v] > max) {
                        max = logits[p * vocab + v];
                        argMax = v;
                    }
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(logits[p * vocab + v] - max);
                }
                expected += logits[p * vocab + all[p + 1]] - max - Math.log(sum);
                greedy &= argMax == all[p + 1];
            }
        }
        assertEquals(expected, result.logProb(), 1e-4);
        assertEquals(greedy, result.greedy());
        assertEquals(continuation.length, result.tokens());
    }

    @Test
    void logLikelihood_batchedRequestsOfDifferentLengths_equalOneByOne() {
        List<LogLikelihoodRequest> requests = List.of(
                new LogLikelihoodRequest(tokenizer.encode("Once upon a time"), tokenizer.encode(" there was", false)),
                new LogLikelihoodRequest(tokenizer.encode("The cat sat on the mat and looked at the dog."),
                        tokenizer.encode(" The dog barked loudly", false)),
                new LogLikelihoodRequest(tokenizer.encode("Once upon a time"), tokenizer.encode(" qzx vjk", false)));
        List<LogLikelihood> batched = new LogLikelihoodScorer(model, 3).score(requests);
        List<LogLikelihood> single = new LogLikelihoodScorer(model, 1).score(requests);
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(single.get(i).logProb(), batched.get(i).logProb(), 1e-4);
            assertEquals(single.get(i).greedy(), batched.get(i).greedy());
        }
        // after the same context, the story's own words are far likelier than gibberish
        assertTrue(batched.get(0).logProb() > batched.get(2).logProb() + 5, batched.toString());
        assertFalse(batched.get(2).greedy());
    }
}
