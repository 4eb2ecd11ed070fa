package dev.calibra.calibration.sampling;

import dev.calibra.calibration.corpus.CorpusSource;
import dev.calibra.calibration.corpus.DocumentRule;
import java.nio.file.Path;

/**
 * A registered corpus as a strategy sees it: its id, name, where it lives, the sha256 recorded at
 * registration (keys the token cache), its document rule and its mixture weight.
 */
public record CorpusInput(String corpusId, String name, Path path, String sha256, DocumentRule rule, double weight) {

    public CorpusSource source() throws java.io.IOException {
        return CorpusSource.open(path);
    }
}
