package dev.calibra.compression.driver;

import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * TinyStories token windows for driver tests, drawn like IST-DASLab/gptq datautils.get_c4 (random
 * windows of the tokenized text, fixed seed): calibration from the first half of
 * tinystories_valid_first.txt, held-out evaluation text from its last quarter (disjoint).
 */
record TinyStoriesCalibration(int[][] samples, int[] heldOut, int bosId, String tokenizerSha256) {

    /** The repository root (-Dcalibra.root, set by the parent pom), which holds assets/. */
    static Path root() {
        return Path.of(System.getProperty("calibra.root", ".."));
    }

    static Path stories260K() {
        return root().resolve("assets/models/stories260K");
    }

    static TinyStoriesCalibration draw(int nSamples, int seqLen, long seed) throws IOException {
        String text = TextFiles.read(root().resolve("assets/corpora/tinystories_valid_first.txt"));
        try (Tokenizer tokenizer = Tokenizer.open(stories260K().resolve("tokenizer.json"))) {
            int[] stream = tokenizer.encode(text, false);
            int calibrationEnd = stream.length / 2;
            int heldOutStart = stream.length * 3 / 4;
            Random random = new Random(seed);
            int[][] samples = new int[nSamples][];
            for (int i = 0; i < nSamples; i++) {
                int start = random.nextInt(calibrationEnd - seqLen);
                samples[i] = Arrays.copyOfRange(stream, start, start + seqLen);
            }
            return new TinyStoriesCalibration(samples, Arrays.copyOfRange(stream, heldOutStart, stream.length),
                    tokenizer.bosId(), tokenizer.sha256());
        }
    }
}
