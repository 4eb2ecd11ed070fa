package dev.calibra.calibration.statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Word 13-grams as in the GPT-3 contamination study and lm-evaluation-harness decontamination: text is
 * lower-cased, split on anything that is not a letter or digit, and every run of 13 words is hashed
 * (64-bit polynomial hash of the words' own 64-bit hashes).
 */
public final class WordNgrams {

    public static final int N = 13;

    private WordNgrams() {}

    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                word.append(c);
            } else if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }

    /** Calls {@code sink} with the hash of every word 13-gram of {@code text}. */
    public static void forEach(String text, LongConsumer sink) {
        List<String> words = words(text);
        long[] wordHashes = new long[words.size()];
        for (int i = 0; i < wordHashes.length; i++) {
            wordHashes[i] = hash(words.get(i));
        }
        for (int start = 0; start + N <= wordHashes.length; start++) {
            long h = 1125899906842597L;
            for (int k = 0; k < N; k++) {
                h = h * 0x100000001B3L + wordHashes[start + k];
            }
            sink.accept(h);
        }
    }

    private static long hash(String word) {
        long h = 0xcbf29ce484222325L;  // FNV-1a 64
        for (int i = 0; i < word.length(); i++) {
            h ^= word.charAt(i);
            h *= 0x100000001B3L;
        }
        return h;
    }
}
