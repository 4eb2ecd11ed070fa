package dev.calibra.registry.support;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ContentHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checked location of an artifact being registered: a local path (a file: URI or plain path), or a key of the
 * object store (an s3: URI) with what the store recorded when the artifact was written.
 */
public record ArtifactLocation(String uri, Path path, ArtifactStore.Recorded recorded) {

    public static ArtifactLocation local(Path path) {
        return new ArtifactLocation(path.toUri().toString(), path, null);
    }

    public static ArtifactLocation stored(String uri, ArtifactStore.Recorded recorded) {
        return new ArtifactLocation(uri, null, recorded);
    }

    public boolean isLocal() {
        return path != null;
    }

    /**
     * The content's sha256 ({@link ContentHash}): hashed here for a local path, as recorded for a stored one (its
     * readers check each download against that record).
     */
    public String sha256() {
        if (!isLocal()) {
            return recorded.sha256();
        }
        try {
            return ContentHash.of(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Whether the artifact is a folder with a file {@code name} at its top. */
    public boolean hasFile(String name) {
        return isLocal() ? Files.isRegularFile(path.resolve(name)) : recorded.folder() && recorded.files().contains(name);
    }

    @Override
    public String toString() {
        return isLocal() ? path.toString() : uri;
    }
}
