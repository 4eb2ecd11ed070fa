package dev.calibra.evaluation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.calibra.evaluation.Assets;
import dev.calibra.evaluation.perplexity.Convention;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator;
import dev.calibra.evaluation.perplexity.PerplexityScores;
import dev.calibra.evaluation.scoring.MetricValue;
import dev.calibra.evaluation.scoring.RequestEncoder;
import dev.calibra.evaluation.scoring.TaskEvaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskReader;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.scoring.LogLikelihoodRequest;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real stories260K on the real task files and corpora (SOURCES.md figures). */
class StoriesEvaluationTest {

    private static final TaskCatalog CATALOG = TaskCatalog.builtIn();
    private static ModelFolder folder;
    private static CausalLm model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        folder = ModelFolder.open(Assets.stories260K());
        model = folder.load(Device.cpu());
        tokenizer = folder.openTokenizer();
    }

    @AfterAll
    static void close() throws IOException {
        tokenizer.close();
        model.close();
        folder.close();
    }

    private static List<MetricValue> task(String name, int limit, int batchSize) throws IOException {
        TaskSpec spec = CATALOG.get(name);
        return new TaskEvaluator(model, tokenizer, batchSize).evaluate(spec, new TaskReader(spec, Assets.assets()).read(limit),
                fraction -> { }).metrics();
    }

    @Test
    void copa_all100_accuracyAbout064() throws IOException {
        List<MetricValue> metrics = task("copa", 0, 16);
        assertEquals(100, metrics.get(0).n());
        assertEquals(0.64, metrics.get(0).value(), 0.03, metrics.toString());
        assertTrue(metrics.get(0).stderr() > 0.04 && metrics.get(0).stderr() < 0.06, metrics.toString());
    }

    @Test
    void arcEasyHellaswagPiqa_first300_nearChance() throws IOException {
        // chance: 1/4, 1/4, 1/2; with n = 300 a 4-sigma band is about +-0.1
        assertEquals(0.25, task("arc_easy", 300, 16).get(0).value(), 0.1);
        assertEquals(0.25, task("hellaswag", 300, 16).get(0).value(), 0.1);
        assertEquals(0.5, task("piqa", 300, 16).get(0).value(), 0.1);
    }

    @Test
    void batchSize1And16_identicalAccuracies_logLikelihoodsWithinFloat32Noise() throws IOException {
        for (String name : List.of("arc_easy", "lambada_openai")) {
            List<MetricValue> one = task(name, 24, 1);
            List<MetricValue> sixteen = task(name, 24, 16);
            for (int m = 0; m < one.size(); m++) {
                if (one.get(m).metric().startsWith("acc")) {
                    assertEquals(one.get(m), sixteen.get(m), name);
                } else {
                    // float32 GEMMs of another batch shape round differently in the 7th digit
                    assertEquals(one.get(m).value(), sixteen.get(m).value(), one.get(m).value() * 1e-5, name);
                }
            }
        }
    }

    @Test
    void encoder_continuationIsWholeMinusContext() {
        LogLikelihoodRequest request = new RequestEncoder(tokenizer).encode("Once upon a time", " there was", "test");
        int[] whole = tokenizer.encode("Once upon a time there was", false);
        assertEquals(whole.length, request.context().length + request.continuation().length);
        // a trailing space of the context moves to the continuation (lm-eval _encode_pair)
        LogLikelihoodRequest moved = new RequestEncoder(tokenizer).encode("Once upon a time ", "there was", "test");
        assertEquals(java.util.Arrays.toString(request.continuation()), java.util.Arrays.toString(moved.continuation()));
    }

    @Test
    void perplexity_equalsFloat64ReferenceOnSameTokens_to4Digits() throws IOException {
        int[] ids;
        float[] logits;
        try (SafetensorsFile golden = SafetensorsFile.open(Assets.root().resolve("testvectors/stories260K_logits.safetensors"))) {
            float[] idsAsFloats = golden.readFloats("input_ids");
            ids = new int[idsAsFloats.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) idsAsFloats[i];
            }
            logits = golden.readFloats("logits_f64");
        }
        // independent float64 NLL from the reference logits
        int vocab = logits.length / ids.length;
        double nll = 0;
        for (int p = 0; p < ids.length - 1; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[p * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[p * vocab + v] - max);
            }
            nll -= logits[p * vocab + ids[p + 1]] - max - Math.log(sum);
        }
        double reference = Math.exp(nll / (ids.length - 1));
        // the same tokens through the rolling convention: BOS then every token predicted once
        int[] body = java.util.Arrays.copyOfRange(ids, 1, ids.length);
        String text = tokenizer.decode(body);
        assertEquals(java.util.Arrays.toString(body), java.util.Arrays.toString(tokenizer.encode(text, false)));
        PerplexityScores ours = new PerplexityEvaluator(model, tokenizer, 4).evaluate(List.of(text), Convention.ROLLING,
                ids.length, 0, "golden", fraction -> { });
        assertEquals(ids.length - 1, ours.tokens());
        assertEquals(reference, ours.perplexity(), reference * 5e-5, "reference " + reference);
    }

    private static PerplexityScores gptq(String corpus) throws IOException {
        String text = TextFiles.read(Assets.assets().resolve("corpora").resolve(corpus));
        return new PerplexityEvaluator(model, tokenizer, 8).evaluate(List.of(text), Convention.GPTQ, 256, 2048, corpus, f -> { });
    }

    @Test
    void perplexity_gptqFirst2048Tokens_matchesSourcesFigures() throws IOException {
        PerplexityScores stories = gptq("tinystories_valid_first.txt");
        assertEquals(8, stories.windows());
        assertEquals(8 * 255, stories.tokens());
        assertEquals(3.98, stories.perplexity(), 0.005, stories.toString());
        assertEquals(107.1, gptq("wikitext2_raw_test.txt").perplexity(), 0.05);
    }

    @Test
    void rolling_textLongerThanContext_scoredInWindowsEveryTokenOnce() throws IOException {
        String text = TextFiles.read(Assets.assets().resolve("corpora/tinystories_valid_first.txt")).substring(0, 20_000);
        int tokens = tokenizer.encode(text, false).length;
        assertTrue(tokens > 3 * 512, "need a text longer than the context, got " + tokens);
        PerplexityScores rolling = new PerplexityEvaluator(model, tokenizer, 8).evaluate(List.of(text), Convention.ROLLING,
                512, 0, "stories", f -> { });
        assertEquals(tokens, rolling.tokens());
        assertEquals((tokens + 511) / 512, rolling.windows());
        // in-domain text: a few nats per word at most, and bits per byte well under 8
        assertTrue(rolling.perplexity() > 2 && rolling.perplexity() < 6, rolling.toString());
        assertTrue(rolling.bitsPerByte() > 0.3 && rolling.bitsPerByte() < 2, rolling.toString());
        assertTrue(rolling.wordPerplexity() > rolling.perplexity(), rolling.toString());
    }
}
