package dev.calibra.model.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {2.0f, 1.0f, 0.5f, -1.0f, 3.0f};

    @Test
    void splitMix64_seedZero_matchesReferenceC() {
        // splitmix64.c with x = 0: first outputs
        SplitMix64 random = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, random.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, random.nextLong());
        assertEquals(0x06C45D188009454FL, random.nextLong());
    }

    @Test
    void greedy_picksArgMax() {
        assertEquals(4, Sampler.next(LOGITS, new int[0], GenerationSettings.greedy(1), new SplitMix64(1)));
    }

    @Test
    void repetitionPenalty_dividesPositiveAndMultipliesNegativeOnce() {
        double[] scores = {2.0, -1.0, 3.0};
        Sampler.applyRepetitionPenalty(scores, new int[] {0, 1, 1, 0}, 2.0);
        assertArrayEquals(new double[] {1.0, -2.0, 3.0}, scores);
    }

    @Test
    void repetitionPenalty_canChangeTheGreedyChoice() {
        GenerationSettings penalised = new GenerationSettings(1, 0, 0, 1, 2.0, 0, true);
        assertEquals(0, Sampler.next(LOGITS, new int[] {4}, penalised, new SplitMix64(1)));
    }

    @Test
    void topK1_alwaysGivesArgMax() {
        GenerationSettings topOne = new GenerationSettings(1, 1.5, 1, 1, 1, 0, true);
        SplitMix64 random = new SplitMix64(99);
        for (int i = 0; i < 100; i++) {
            assertEquals(4, Sampler.next(LOGITS, new int[0], topOne, random));
        }
    }

    @Test
    void topP_keepsOnlyTheNucleus() {
        // softmax of LOGITS: token 4 ~0.61, token 0 ~0.22; p = 0.7 keeps exactly {4, 0}
        GenerationSettings nucleus = new GenerationSettings(1, 1, 0, 0.7, 1, 0, true);
        SplitMix64 random = new SplitMix64(7);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(Sampler.next(LOGITS, new int[0], nucleus, random));
        }
        assertEquals(Set.of(0, 4), seen);
    }

    @Test
    void sampling_followsTheSoftmaxFrequencies() {
        GenerationSettings plain = GenerationSettings.sampled(1, 1.0, 1.0, 0);
        SplitMix64 random = new SplitMix64(2024);
        int[] counts = new int[LOGITS.length];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            counts[Sampler.next(LOGITS, new int[0], plain, random)]++;
        }
        double total = 0;
        for (float logit : LOGITS) {
            total += Math.exp(logit);
        }
        for (int token = 0; token < LOGITS.length; token++) {
            double expected = Math.exp(LOGITS[token]) / total;
            assertEquals(expected, counts[token] / (double) draws, 0.015, "token " + token);
        }
    }

    @Test
    void sameSeed_sameDraws_differentSeed_differentDraws() {
        GenerationSettings plain = GenerationSettings.sampled(1, 1.0, 1.0, 0);
        int[] first = new int[50];
        int[] second = new int[50];
        int[] other = new int[50];
        SplitMix64 a = new SplitMix64(5);
        SplitMix64 b = new SplitMix64(5);
        SplitMix64 c = new SplitMix64(6);
        for (int i = 0; i < 50; i++) {
            first[i] = Sampler.next(LOGITS, new int[0], plain, a);
            second[i] = Sampler.next(LOGITS, new int[0], plain, b);
            other[i] = Sampler.next(LOGITS, new int[0], plain, c);
        }
        assertArrayEquals(first, second);
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(other));
    }

    @Test
    void settings_invalidValues_refusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GenerationSettings(1, 1, 0, 1.5, 1, 0, true));
        assertTrue(e.getMessage().startsWith("topP"), e.getMessage());
    }
}
