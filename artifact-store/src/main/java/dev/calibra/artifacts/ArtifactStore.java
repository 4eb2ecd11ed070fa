package dev.calibra.artifacts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where models and calibration sets live. Writers never expose a half-written artifact: content goes
 * to a temporary name and appears under its final key only when complete (fsynced, then renamed).
 */
public interface ArtifactStore extends AutoCloseable {

    /** Releases what the store holds open (an S3 client); a local store holds nothing. */
    @Override
    default void close() {}

    /** Writes one file's bytes. */
    @FunctionalInterface
    interface FileWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a folder with files. */
    @FunctionalInterface
    interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    /** Writes a file under {@code key} (a relative path such as "calibration/cal-1/set.safetensors"). */
    StoredArtifact putFile(String key, FileWriter writer) throws IOException;

    /** Writes a folder under {@code key}; the writer fills a temporary folder that is then renamed. */
    StoredArtifact putFolder(String key, FolderWriter writer) throws IOException;

    /** Resolves a URI of this store to a local path, refusing anything outside the store's root. */
    Path resolve(URI uri);

    /** The URI an artifact under {@code key} has (or would have). */
    URI uriOf(String key);

    /** Whether something is stored under {@code key}. */
    boolean exists(String key);

    /** Removes the artifact under {@code key} (file or folder); absent is not an error. */
    void delete(String key) throws IOException;

    /**
     * The keys of what is stored directly under the folder key {@code folderKey} (for "teams/nlp/models":
     * "teams/nlp/models/run-1", ...), sorted; empty when nothing is there. For garbage collection: the
     * listing may include writes in flight, so a collector keeps young entries.
     */
    default List<String> listKeys(String folderKey) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot list its artifacts");
    }

    /** How much is stored under a key and when it last changed, for garbage collection. */
    record Usage(long bytes, java.time.Instant newestChange) {}

    /**
     * The size and newest change of everything stored under {@code key}: a file, or every object of a folder,
     * complete or not; zero bytes at the epoch when nothing is there.
     */
    default Usage usage(String key) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot measure its artifacts");
    }

    /**
     * A local folder holding the files put one by one ({@link #putFile}) directly under {@code folderKey}, such as a
     * run's block checkpoints, for reading them back; a remote store downloads those not cached yet.
     */
    Path localFolder(String folderKey) throws IOException;

    /** What a store recorded for an artifact when it was written: the key, its sha256 and size, a folder's files. */
    record Recorded(String key, String sha256, long sizeBytes, boolean folder, List<String> files) {}

    /**
     * The record of the artifact at {@code uri} without reading its content, where the store keeps one (an S3 store:
     * the object's metadata or the folder's manifest); empty for a store whose files are at hand to hash.
     *
     * @throws java.nio.file.NoSuchFileException when nothing is stored there
     */
    default Optional<Recorded> recorded(URI uri) throws IOException {
        return Optional.empty();
    }
}
