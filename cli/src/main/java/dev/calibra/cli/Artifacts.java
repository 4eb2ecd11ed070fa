package dev.calibra.cli;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.S3Location;
import dev.calibra.artifacts.StoreLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Registered artifact locations as the CLI shows and reads them: local paths, or s3: URIs of the object store. */
public final class Artifacts {

    private Artifacts() {}

    /** A file: URI as its absolute path; an object store's URI as it is. */
    public static String shown(String uri) {
        return uri.startsWith("file:") ? Path.of(URI.create(uri)).toString() : uri;
    }

    /**
     * The object store CALIBRA_ARTIFACT_STORE names for the CLI, if it is one (an s3: URI); the caller closes it.
     * Workers on other machines cannot read the CLI's local folders, so what the CLI registers goes there.
     */
    public static Optional<ArtifactStore> objectStore(CalibraCommand root) throws IOException {
        Optional<String> location = ArtifactStores.locationIn(root.env()).filter(S3Location::isUri);
        if (location.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ArtifactStores.open(location.get(), root.env(), root.stackConfig().stateDir().resolve("artifact-cache")));
    }

    /**
     * Copies a local model folder into the team's folder of {@code store} (links followed), once per content: the
     * key is {@code teams/<team>/models/base-<sha256 prefix>}, so registering the same weights again reuses it.
     */
    public static URI uploadModel(ArtifactStore store, String team, Path folder, String sha256) throws IOException {
        String key = StoreLayout.model(team, "base-" + sha256.substring(0, 32));
        if (!store.exists(key)) {
            try {
                store.putFolder(key, target -> copyTree(folder, target));
            } catch (FileAlreadyExistsException raced) {
                // the same content was uploaded meanwhile
            }
        }
        return store.uriOf(key);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    /**
     * A local copy of the artifact at {@code uri}: a file: URI's path, or a download into the CLI's cache
     * ({@code <state>/artifact-cache}) from the store CALIBRA_ARTIFACT_STORE names, with the AWS variables.
     */
    public static Path localCopy(CalibraCommand root, String uri) throws IOException {
        if (!S3Location.isUri(uri)) {
            return ArtifactStores.pathOf(uri).toAbsolutePath();
        }
        try (ArtifactStore store = objectStore(root).orElseThrow(() -> new IllegalArgumentException(uri
                + " is in object storage: set " + ArtifactStores.STORE_VARIABLE + " (and the AWS variables) to read it"))) {
            return store.resolve(URI.create(uri));
        }
    }
}
