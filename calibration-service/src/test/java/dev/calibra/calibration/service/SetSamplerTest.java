package dev.calibra.calibration.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.artifacts.LocalArtifactStore;
import dev.calibra.calibration.Assets;
import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.calibration.sampling.CorpusInput;
import dev.calibra.calibration.sampling.DrawRequest;
import dev.calibra.calibration.sampling.Parameters;
import dev.calibra.calibration.sampling.Strategies;
import dev.calibra.calibration.sampling.Strategy;
import dev.calibra.calibration.statistics.EvaluationTexts;
import dev.calibra.proto.v1.CalibrationSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The draw -> score -> flag -> statistics -> fingerprint -> artifact pipeline on real data. */
class SetSamplerTest {

    static ModelSession session;
    static EvaluationTexts evaluationTexts;
    @TempDir
    static Path storeRoot;
    static LocalArtifactStore store;

    @BeforeAll
    static void open() throws IOException {
        session = ModelSession.open(Assets.stories260K());
        evaluationTexts = EvaluationTexts.load(Assets.root());
        store = new LocalArtifactStore(storeRoot);
    }

    @AfterAll
    static void close() throws IOException {
        session.close();
    }

    static CorpusInput corpus(String file, String rule, double weight) throws IOException {
        return new CorpusInput("cor-" + file, file, Assets.corpus(file), ContentHash.ofFile(Assets.corpus(file)),
                DocumentRule.parse(rule), weight);
    }

    DrawnSet draw(String strategy, int n, int seqLen, long seed, boolean dropAnomalous, CorpusInput... corpora)
            throws IOException {
        Strategy chosen = Strategies.of(strategy);
        DrawRequest request = new DrawRequest(n, seqLen, seed, Parameters.resolve(strategy, chosen.parameters(), Map.of()),
                List.of(corpora), session.tokenizer(), session, store);
        return new SetSampler(() -> evaluationTexts).draw(chosen, request, dropAnomalous);
    }

    @Test
    void draw_sameRequestSameFingerprint_otherSeedOther() throws IOException {
        CorpusInput stories = corpus("tinystories_valid_first.txt", "blank-lines", 1);
        DrawnSet first = draw("random_window", 8, 128, 0, false, stories);
        assertEquals(first.fingerprint(), draw("random_window", 8, 128, 0, false, stories).fingerprint());
        assertNotEquals(first.fingerprint(), draw("random_window", 8, 128, 1, false, stories).fingerprint());
        assertTrue(first.statistics().getMeanPerplexity() > 1 && first.statistics().getMeanPerplexity() < 20,
                "stories260K on its own domain: " + first.statistics().getMeanPerplexity());
    }

    @Test
    void contamination_heldOutWikitextIsContaminated_storiesAreNot() throws IOException {
        DrawnSet wiki = draw("concat_window", 4, 256, 0, false, corpus("wikitext2_raw_test.txt", "blank-lines", 1));
        DrawnSet stories = draw("concat_window", 4, 256, 0, false, corpus("tinystories_valid_first.txt", "blank-lines", 1));
        assertTrue(wiki.statistics().getContamination13Gram() > 0.5, "wikitext: " + wiki.statistics().getContamination13Gram());
        assertTrue(stories.statistics().getContamination13Gram() < 0.05,
                "stories: " + stories.statistics().getContamination13Gram());
        assertTrue(wiki.contaminationSources().contains(EvaluationTexts.HELD_OUT_TEXT));
    }

    @Test
    void dropAnomalous_replacesOffDomainRowsWithNormalOnes() throws IOException {
        CorpusInput stories = corpus("tinystories_valid_first.txt", "blank-lines", 7);
        CorpusInput code = corpus("code_java_commons_lang3_3.14.0.txt", "blank-lines", 1);
        DrawnSet kept = draw("mixture", 8, 128, 3, false, stories, code);
        assertTrue(kept.statistics().getAnomalousSamplesCount() >= 1, "the Java row is extreme for a stories model");
        DrawnSet dropped = draw("mixture", 8, 128, 3, true, stories, code);
        assertEquals(8, dropped.rows().size());
        assertEquals(0, dropped.statistics().getAnomalousSamplesCount());
        assertFalse(dropped.rows().stream().anyMatch(row -> row.corpusId().equals(code.corpusId())));
    }

    @Test
    void artifacts_writeSafetensorsAndSidecar_readBackTheSameRows() throws IOException {
        DrawnSet set = draw("random_tokens", 3, 16, 4, false);
        CalibrationSpec spec = CalibrationSpec.newBuilder().setStrategy("random_tokens").setNSamples(3).setSeqLen(16)
                .setSeed(4).build();
        CalibrationArtifacts artifacts = new CalibrationArtifacts(store);
        CalibrationArtifacts.Stored stored = artifacts.write("sampler-test", set, spec, session.tokenizer().sha256());
        assertTrue(stored.written());
        assertFalse(artifacts.write("sampler-test", set, spec, session.tokenizer().sha256()).written(), "stored once");
        int[][] rows = CalibrationArtifacts.readRows(stored.safetensors());
        assertEquals(set.fingerprint(), dev.calibra.calibration.statistics.Fingerprint.of(List.of(rows)));
        assertEquals(set.fingerprint(), CalibrationArtifacts.readSidecar(stored.safetensors()).path("fingerprint").asText());
        assertEquals(3, CalibrationArtifacts.readSidecar(stored.safetensors()).path("samples").size());
        assertTrue(Files.isRegularFile(stored.safetensors().resolveSibling(CalibrationArtifacts.SIDECAR)));
        artifacts.delete(stored.key());
        assertFalse(Files.exists(stored.safetensors()));
    }
}
