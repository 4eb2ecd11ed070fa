package dev.calibra.artifacts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where models and calibration sets live. Writers never expose a half-written artifact: content goes
 * to a temporary name and appears under its final key only when complete (fsynced, then renamed).
 */
public interface ArtifactStore {

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
}
