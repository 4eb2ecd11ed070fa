package dev.calibra.calibration.corpus;

import dev.calibra.artifacts.ContentHash;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What registering a corpus records: the content hash, the document count under the rule and the
 * uncompressed size. Reads every document once, so every format error surfaces before registration.
 */
public record CorpusScan(Path path, String sha256, long documents, long sizeBytes, DocumentRule rule) {

    /** Scans {@code path}; {@code textRule} and {@code textField} as in AddCorpusRequest. */
    public static CorpusScan of(Path path, String textRule, String textField) throws IOException {
        CorpusSource source = CorpusSource.open(path);
        DocumentRule rule = DocumentRule.forSource(source.jsonl(), textRule, textField);
        DocumentReader reader = new DocumentReader(source, rule);
        long documents = reader.forEach((index, text) -> true);
        if (documents == 0) {
            throw new CorpusFormatException("corpus " + source.path() + " has no documents under the rule " + rule.label());
        }
        return new CorpusScan(source.path(), ContentHash.of(source.path()), documents, reader.bytesRead(), rule);
    }
}
