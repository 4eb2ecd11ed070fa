package dev.calibra.artifacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a worker reads is what the registry recorded: a model folder, a calibration set or a corpus is
 * hashed and compared with its record's sha256 before use, so a file changed in place (or swapped behind a
 * path) fails the job instead of producing numbers for other weights. A path checked once is not hashed
 * again while each of its files keeps its name, size and modification time.
 */
public final class VerifiedContent {

    /** The content no longer matches its record. */
    public static final class ChangedException extends IOException {
        public ChangedException(String message) {
            super(message);
        }
    }

    /** Every file's name, size and modification time, and the hash they were checked against. */
    private record Stamp(String files, String sha256) {}

    private static final Map<Path, Stamp> VERIFIED = new ConcurrentHashMap<>();

    private VerifiedContent() {}

    /**
     * Throws ChangedException naming {@code what} when the content of {@code path} (file or folder) does not
     * hash to {@code recordedSha256}. A record without a hash (older records, test doubles) is not checked.
     */
    public static void require(Path path, String recordedSha256, String what) throws IOException {
        if (recordedSha256 == null || recordedSha256.isEmpty()) {
            return;
        }
        Path key = path.toAbsolutePath().normalize();
        Stamp before = stamp(key, recordedSha256);
        Stamp known = VERIFIED.get(key);
        if (known != null && known.equals(before)) {
            return;
        }
        String actual = ContentHash.of(key);
        if (!actual.equals(recordedSha256)) {
            VERIFIED.remove(key);
            throw new ChangedException(what + " at " + key + " has changed since it was registered: its content hashes to "
                    + actual + ", the record says " + recordedSha256);
        }
        if (stamp(key, recordedSha256).equals(before)) {
            VERIFIED.put(key, before);
        }
    }

    /** As {@link #require(Path, String, String)}, refusing with the caller's exception; returns the path. */
    public static <E extends Exception> Path require(Path path, String recordedSha256, String what,
            java.util.function.Function<String, E> refusal) throws IOException, E {
        try {
            require(path, recordedSha256, what);
        } catch (ChangedException changed) {
            throw refusal.apply(changed.getMessage());
        }
        return path;
    }

    private static Stamp stamp(Path path, String sha256) throws IOException {
        StringBuilder files = new StringBuilder();
        List<Path> all;
        if (Files.isDirectory(path)) {
            try (Stream<Path> tree = Files.walk(path)) {
                all = tree.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            all = List.of(path);
        }
        for (Path file : all) {
            files.append(path.relativize(file)).append('\0').append(Files.size(file)).append('\0')
                    .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
        }
        return new Stamp(files.toString(), sha256);
    }
}
