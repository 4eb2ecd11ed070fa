package dev.calibra.calibration.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.artifacts.LocalArtifactStore;
import dev.calibra.calibration.Assets;
import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.calibration.service.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every strategy on the shipped corpora with the real stories260K tokenizer (and model, for self_generated). */
class StrategiesTest {

    static ModelSession session;
    static ArtifactStore cache;
    static final CorpusInput STORIES = corpus("cor-stories", "tinystories", "tinystories_valid_first.txt", "blank-lines");
    static final CorpusInput C4 = corpus("cor-c4", "c4", "c4_en_train00000_first1000.jsonl", "jsonl:text");
    static final CorpusInput NEWS = corpus("cor-news", "abc", "abc_science_news.txt", "lines");

    @TempDir
    static Path cacheRoot;

    @BeforeAll
    static void open() throws IOException {
        session = ModelSession.open(Assets.stories260K());
        cache = new LocalArtifactStore(cacheRoot);
    }

    @AfterAll
    static void close() throws IOException {
        session.close();
    }

    static CorpusInput corpus(String id, String name, String file, String rule) {
        try {
            return new CorpusInput(id, name, Assets.corpus(file), ContentHash.ofFile(Assets.corpus(file)),
                    DocumentRule.parse(rule), 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Draws through the token cache (the service's path). */
    static List<Sample> draw(String strategy, int n, int seqLen, long seed, Map<String, String> parameters,
            CorpusInput... corpora) throws IOException {
        return draw(cache, strategy, n, seqLen, seed, parameters, corpora);
    }

    static List<Sample> draw(ArtifactStore tokenCache, String strategy, int n, int seqLen, long seed,
            Map<String, String> parameters, CorpusInput... corpora) throws IOException {
        Strategy chosen = Strategies.of(strategy);
        return chosen.draw(new DrawRequest(n, seqLen, seed, Parameters.resolve(strategy, chosen.parameters(), parameters),
                List.of(corpora), session.tokenizer(), session, tokenCache));
    }

    @Test
    void tokenCache_givesTheSameTokensAsStreaming() throws IOException {
        for (String strategy : List.of("random_window", "concat_window", "disjoint_sets")) {
            List<Sample> streamed = draw(null, strategy, 6, 128, 9, Map.of(), STORIES);
            assertTrue(same(streamed, draw(strategy, 6, 128, 9, Map.of(), STORIES)), strategy);
            assertTrue(same(streamed, draw(strategy, 6, 128, 9, Map.of(), STORIES)), strategy + " from a warm cache");
        }
    }

    static List<int[]> tokens(List<Sample> rows) {
        return rows.stream().map(Sample::tokens).toList();
    }

    static boolean same(List<Sample> a, List<Sample> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).tokens(), b.get(i).tokens())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void randomWindow_sameSeedSameTokens_otherSeedOtherTokens() throws IOException {
        List<Sample> first = draw("random_window", 16, 128, 0, Map.of(), C4);
        assertTrue(same(first, draw("random_window", 16, 128, 0, Map.of(), C4)));
        assertFalse(same(first, draw("random_window", 16, 128, 1, Map.of(), C4)));
        first.forEach(row -> assertEquals(128, row.tokens().length));
    }

    @Test
    void randomWindow_rowIsTheDocumentsTokensAtTheRecordedOffset() throws IOException {
        List<Sample> rows = draw("random_window", 8, 64, 3, Map.of("prepend_bos", "true"), STORIES);
        CorpusTokens corpus = new CorpusTokens(STORIES, session.tokenizer(), null);
        TreeSet<Long> documents = new TreeSet<>();
        rows.forEach(row -> documents.add(row.documentIndex()));
        var texts = corpus.documents(documents);
        int[] lengths = corpus.documentLengths();
        for (Sample row : rows) {
            assertEquals(session.tokenizer().bosId(), row.tokens()[0]);
            int[] document = texts.get(row.documentIndex());
            assertTrue(lengths[(int) row.documentIndex()] > 63, "length rule '>' holds");
            assertArrayEquals(Arrays.copyOfRange(document, (int) row.tokenOffset(), (int) row.tokenOffset() + 63),
                    Arrays.copyOfRange(row.tokens(), 1, 64));
        }
    }

    @Test
    void randomWindow_noDocumentLongEnough_saysHowLongTheLongestIs() throws IOException {
        int longest = Arrays.stream(new CorpusTokens(NEWS, session.tokenizer(), cache).documentLengths()).max().orElseThrow();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> draw("random_window", 4, 500, 0, Map.of(), NEWS));
        assertTrue(error.getMessage().contains("the longest has " + longest + " tokens"), error.getMessage());
    }

    @Test
    void randomWindow_lengthRuleGreaterOrEqual_admitsDocumentsOfExactlySeqLen() throws IOException {
        int longest = Arrays.stream(new CorpusTokens(NEWS, session.tokenizer(), cache).documentLengths()).max().orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> draw("random_window", 2, longest, 0, Map.of(), NEWS));
        List<Sample> rows = draw("random_window", 2, longest, 0, Map.of("length_rule", ">="), NEWS);
        rows.forEach(row -> assertEquals(0, row.tokenOffset()));
    }

    @Test
    void concatWindow_separatorIsPartOfTheTokens() throws IOException {
        List<Sample> blankLines = draw("concat_window", 8, 256, 5, Map.of(), NEWS);
        List<Sample> spaces = draw("concat_window", 8, 256, 5, Map.of("separator", " "), NEWS);
        assertTrue(same(blankLines, draw("concat_window", 8, 256, 5, Map.of("separator", "\\n\\n"), NEWS)));
        assertFalse(same(blankLines, spaces));
        assertTrue(session.tokenizer().decode(blankLines.get(0).tokens()).contains("\n\n"));
    }

    @Test
    void concatWindow_chunkedWindowsEqualTheWholeStreamsWindows() throws IOException {
        CorpusTokens corpus = new CorpusTokens(STORIES, session.tokenizer(), null);
        List<int[]> chunks = new ArrayList<>();
        corpus.forEachJoinedChunk("\n\n", 5000, tokens -> chunks.add(tokens));
        int[] stream = chunks.stream().flatMapToInt(Arrays::stream).toArray();
        long[] offsets = {stream.length - 100, 0, 12345, 4999, 12345};
        int[][] windows = corpus.joinedWindows(offsets, 100, "\n\n", 5000);
        for (int i = 0; i < offsets.length; i++) {
            assertArrayEquals(Arrays.copyOfRange(stream, (int) offsets[i], (int) offsets[i] + 100), windows[i]);
        }
        assertEquals(stream.length, corpus.joinedTokenCount("\n\n", 5000));
    }

    @Test
    void disjointSets_tenSetsShareNoTokenWindow_andEachIsReproducibleAlone() throws IOException {
        int n = 16;
        int seqLen = 128;
        List<long[]> ranges = new ArrayList<>();
        List<List<Sample>> sets = new ArrayList<>();
        for (int set = 0; set < 10; set++) {
            List<Sample> rows = draw("disjoint_sets", n, seqLen, 7, Map.of("set_index", Integer.toString(set)), STORIES);
            sets.add(rows);
            rows.forEach(row -> ranges.add(new long[] {row.tokenOffset(), row.tokenOffset() + seqLen}));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            assertTrue(ranges.get(i)[0] >= ranges.get(i - 1)[1], "windows overlap at token " + ranges.get(i)[0]);
        }
        assertEquals(10 * n, ranges.size());
        assertTrue(same(sets.get(3), draw("disjoint_sets", n, seqLen, 7, Map.of("set_index", "3"), STORIES)));
        // no window content is shared between two sets either
        for (int a = 0; a < 10; a++) {
            for (int b = a + 1; b < 10; b++) {
                for (int[] row : tokens(sets.get(a))) {
                    for (int[] other : tokens(sets.get(b))) {
                        assertFalse(Arrays.equals(row, other));
                    }
                }
            }
        }
    }

    @Test
    void disjointSets_sourceTooSmall_saysHowManyWindowsFit() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> draw("disjoint_sets", 512, 512, 0, Map.of(), STORIES));
        assertTrue(error.getMessage().contains("disjoint 512-token windows"), error.getMessage());
    }

    @Test
    void mixture_splitsRowsByWeightAndRecordsEachOrigin() throws IOException {
        CorpusInput stories = new CorpusInput(STORIES.corpusId(), STORIES.name(), STORIES.path(), STORIES.sha256(), STORIES.rule(), 3);
        List<Sample> rows = draw("mixture", 8, 64, 11, Map.of(), stories, NEWS);
        assertEquals(6, rows.stream().filter(row -> row.corpusId().equals("cor-stories")).count());
        assertEquals(2, rows.stream().filter(row -> row.corpusId().equals("cor-news")).count());
        assertTrue(same(rows, draw("mixture", 8, 64, 11, Map.of(), stories, NEWS)));
    }

    @Test
    void mixture_nonPositiveWeight_isRefusedNamingTheCorpus() {
        CorpusInput negative = new CorpusInput("cor-news", "abc", NEWS.path(), NEWS.sha256(), NEWS.rule(), -1);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> draw("mixture", 8, 64, 0, Map.of(), STORIES, negative));
        assertTrue(error.getMessage().contains("corpora[1] (abc) weight must be > 0"), error.getMessage());
    }

    @Test
    void randomTokens_idsAreInTheVocabularyAndSeeded() throws IOException {
        List<Sample> rows = draw("random_tokens", 4, 256, 0, Map.of());
        int vocabulary = session.tokenizer().vocabSize();
        rows.forEach(row -> Arrays.stream(row.tokens()).forEach(id -> assertTrue(id >= 0 && id < vocabulary)));
        assertTrue(same(rows, draw("random_tokens", 4, 256, 0, Map.of())));
        assertFalse(same(rows, draw("random_tokens", 4, 256, 1, Map.of())));
        // 1024 draws over 512 ids hit most ids
        assertTrue(rows.stream().flatMapToInt(row -> Arrays.stream(row.tokens())).distinct().count() > 400);
    }

    @Test
    void selfGenerated_fromCorpusPrefixes_readsAsStoriesAndIsSeeded() throws IOException {
        List<Sample> rows = draw("self_generated", 3, 64, 0, Map.of(), STORIES);
        assertEquals(3, rows.size());
        for (Sample row : rows) {
            assertEquals(64, row.tokens().length);
            assertEquals(session.tokenizer().bosId(), row.tokens()[0]);
            String text = session.tokenizer().decode(row.tokens());
            // stories260K writes TinyStories English: common story words appear
            long storyWords = Arrays.stream(text.toLowerCase().split("\\W+"))
                    .filter(List.of("the", "a", "and", "was", "she", "he", "they", "to", "day", "said")::contains).count();
            assertTrue(storyWords >= 5, text);
            assertEquals("cor-stories", row.corpusId());
        }
        Map<String, String> small = Map.of("drop_highest_perplexity", "0");
        assertTrue(same(draw("self_generated", 1, 24, 5, small, STORIES), draw("self_generated", 1, 24, 5, small, STORIES)));
    }

    @Test
    void selfGenerated_prefixesWithoutCorpus_askForOneOrBos() throws IOException {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> draw("self_generated", 2, 32, 0, Map.of()))
                .getMessage().contains("prefix_tokens=0"));
        List<Sample> fromBos = draw("self_generated", 2, 32, 0, Map.of("prefix_tokens", "0"));
        assertEquals(-1, fromBos.get(0).documentIndex());
    }

    @Test
    void of_unknownStrategyOrParameter_isNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Strategies.of("best_windows")).getMessage()
                .contains("'best_windows'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> draw("random_window", 1, 8, 0, Map.of("lenght_rule", ">"), C4))
                .getMessage().contains("'lenght_rule'"));
    }

    @Test
    void draws_uniformIsUnbiasedEnough() {
        var random = new dev.calibra.model.generation.SplitMix64(42);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++) {
            counts[Draws.uniform(random, 6)]++;
        }
        for (int count : counts) {
            assertEquals(10_000, count, 400);  // about 4 standard deviations
        }
        assertNotEquals(Draws.uniform(new dev.calibra.model.generation.SplitMix64(1), 1 << 30),
                Draws.uniform(new dev.calibra.model.generation.SplitMix64(2), 1 << 30));
    }
}
