package dev.calibra.registry.support;

import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a client-supplied location ("file:/abs" or "/abs") into a checked local path: absolute, existing
 * and, when CALIBRA_ALLOWED_ROOTS is set, inside one of those roots or the artifact store.
 */
public final class ArtifactPaths {

    private static final AllowedRoots ALLOWED = AllowedRoots.fromEnvironment(artifactStore());

    private ArtifactPaths() {}

    private static Path[] artifactStore() {
        String store = System.getenv("CALIBRA_ARTIFACTS");
        return store == null || store.isBlank() ? new Path[0] : new Path[] {Path.of(store)};
    }

    public static Path existing(String location, String field) {
        return existing(location, field, ALLOWED);
    }

    static Path existing(String location, String field, AllowedRoots allowed) {
        Path path;
        try {
            path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument(field + " '" + location + "' is neither an absolute path nor a file: URI");
        }
        if (!path.isAbsolute()) {
            throw CalibraException.invalidArgument(field + " '" + location + "' must be absolute");
        }
        if (!Files.exists(path)) {
            throw CalibraException.invalidArgument(field + " '" + location + "' does not exist on the registry's host");
        }
        allowed.check(field, path);
        return path.normalize();
    }
}
