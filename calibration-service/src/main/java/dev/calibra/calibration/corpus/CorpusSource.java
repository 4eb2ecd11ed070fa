package dev.calibra.calibration.corpus;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A corpus on disk: one file or a folder of files (read in path order, hidden files skipped). Text and
 * .jsonl files, each optionally gzipped; a folder may not mix the two kinds.
 */
public record CorpusSource(Path path, List<Path> files, boolean jsonl) {

    public static CorpusSource open(Path path) throws IOException {
        if (path == null || !Files.exists(path)) {
            throw new CorpusFormatException("corpus path " + path + " does not exist");
        }
        Path absolute = path.toAbsolutePath().normalize();
        List<Path> files;
        if (Files.isDirectory(absolute)) {
            try (Stream<Path> walk = Files.walk(absolute)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(file -> !absolute.relativize(file).toString().startsWith(".")
                                && !file.getFileName().toString().startsWith("."))
                        .sorted((a, b) -> absolute.relativize(a).toString().compareTo(absolute.relativize(b).toString()))
                        .toList();
            }
            if (files.isEmpty()) {
                throw new CorpusFormatException("corpus folder " + absolute + " has no files");
            }
        } else {
            files = List.of(absolute);
        }
        long jsonlFiles = files.stream().filter(CorpusSource::isJsonl).count();
        if (jsonlFiles != 0 && jsonlFiles != files.size()) {
            throw new CorpusFormatException("corpus folder " + absolute + " mixes .jsonl and text files; register them separately");
        }
        for (Path file : files) {
            if (Files.size(file) == 0) {
                throw new CorpusFormatException("corpus file " + file + " is empty");
            }
        }
        return new CorpusSource(absolute, files, jsonlFiles > 0);
    }

    static boolean isJsonl(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl") || name.endsWith(".jsonl.gz");
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic number. */
    static InputStream openBytes(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }
}
