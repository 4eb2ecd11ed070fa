package dev.calibra.model.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.TestData;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {

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

    /** The greedy sample quoted in stories260K.md (llama2.c run -t 0.0). */
    private static String referenceSample() throws IOException {
        String note = Files.readString(TestData.stories260K().resolve("stories260K.md"));
        int command = note.indexOf("-t 0.0\n");
        return note.substring(command + "-t 0.0\n".length(), note.indexOf("\n```", command));
    }

    @Test
    void greedyFromEmptyPrompt_reproducesTheReferenceStory() throws IOException {
        String reference = referenceSample();
        GenerationResult result = new Generator(model).generate(new int[0], GenerationSettings.greedy(200));
        assertEquals(200, result.tokens().length);
        assertEquals(GenerationResult.StopReason.MAX_NEW_TOKENS, result.stopReason());
        String text = tokenizer.decode(result.tokens());
        assertTrue(text.startsWith("Once upon a time, there was a little girl named Lily."), text);
        assertTrue(reference.startsWith(text), "generated:\n" + text + "\nreference:\n" + reference);
    }

    @Test
    void greedyWithCache_equalsArgMaxOfFullForwards() {
        int[] prompt = tokenizer.encode("Lily saw a cat");
        int[] generated = new Generator(model).generate(prompt, GenerationSettings.greedy(8)).tokens();
        int[] sequence = prompt;
        try (NDManager manager = model.newManager()) {
            for (int step = 0; step < generated.length; step++) {
                float[] logits = model.forward(manager.create(sequence, new Shape(1, sequence.length))).toFloatArray();
                int vocab = model.vocabSize();
                int best = 0;
                for (int v = 1; v < vocab; v++) {
                    if (logits[(sequence.length - 1) * vocab + v] > logits[(sequence.length - 1) * vocab + best]) {
                        best = v;
                    }
                }
                assertEquals(best, generated[step], "step " + step);
                sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = best;
            }
        }
    }

    @Test
    void sampled_sameSeedSameTokens() {
        GenerationSettings settings = new GenerationSettings(40, 1.0, 40, 0.9, 1.1, 133742, true);
        int[] prompt = tokenizer.encode("Once upon a time");
        GenerationResult first = new Generator(model).generate(prompt, settings);
        GenerationResult second = new Generator(model).generate(prompt, settings);
        assertArrayEquals(first.tokens(), second.tokens());
        GenerationResult other = new Generator(model).generate(prompt,
                new GenerationSettings(40, 1.0, 40, 0.9, 1.1, 7, true));
        assertTrue(!java.util.Arrays.equals(first.tokens(), other.tokens()));
    }

    @Test
    void generation_stopsAtFirstEosToken() {
        int[] prompt = tokenizer.encode("Once upon a time");
        int[] free = new Generator(model).generate(prompt, GenerationSettings.greedy(30)).tokens();
        int stopToken = free[9];
        int firstIndex = 0;
        while (free[firstIndex] != stopToken) {
            firstIndex++;
        }
        GenerationResult stopped = new Generator(model).generate(prompt, GenerationSettings.greedy(30), java.util.List.of(stopToken));
        assertEquals(GenerationResult.StopReason.EOS, stopped.stopReason());
        assertArrayEquals(java.util.Arrays.copyOf(free, firstIndex + 1), stopped.tokens());
    }

    @Test
    void generation_maxNewTokensZero_givesNothing() {
        GenerationResult result = new Generator(model).generate(new int[0], GenerationSettings.greedy(0));
        assertEquals(0, result.tokens().length);
    }
}
