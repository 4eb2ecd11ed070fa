package dev.calibra.registry.support;

import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a client-supplied location ("file:/abs" or "/abs") into a checked local path: absolute, existing
 * and inside the artifact store, the assets folder or a root of CALIBRA_ALLOWED_ROOTS (AllowedRoots).
 */
public final class ArtifactPaths {

    /** The artifact store and the assets folder always; other folders only as CALIBRA_ALLOWED_ROOTS says. */
    private static final AllowedRoots ALLOWED = AllowedRoots.fromEnvironment();

    private ArtifactPaths() {}

    public static Path existing(String location, String field) {
        return existing(location, field, ALLOWED);
    }

    static Path existing(String location, String field, AllowedRoots allowed) {
        Path path;
        try {
            path = ArtifactStores.pathOf(location);
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
