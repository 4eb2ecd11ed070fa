package dev.calibra.cli;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.S3Location;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Registered artifact locations as the CLI shows and reads them: local paths, or s3: URIs of the object store. */
public final class Artifacts {

    private Artifacts() {}

    /** A file: URI as its absolute path; an object store's URI as it is. */
    public static String shown(String uri) {
        return uri.startsWith("file:") ? Path.of(URI.create(uri)).toString() : uri;
    }

    /**
     * A local copy of the artifact at {@code uri}: a file: URI's path, or a download into the CLI's cache
     * ({@code <state>/artifact-cache}) from the store CALIBRA_ARTIFACT_STORE names, with the AWS variables.
     */
    public static Path localCopy(CalibraCommand root, String uri) throws IOException {
        if (!uri.startsWith(S3Location.SCHEME + ":")) {
            return ArtifactStores.localPath(null, uri).toAbsolutePath();
        }
        String location = root.env().get(ArtifactStores.STORE_VARIABLE);
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException(uri + " is in object storage: set " + ArtifactStores.STORE_VARIABLE
                    + " (and the AWS variables) to read it");
        }
        try (ArtifactStore store = ArtifactStores.open(location.trim(), root.env(),
                root.stackConfig().stateDir().resolve("artifact-cache"))) {
            return store.resolve(URI.create(uri));
        }
    }
}
