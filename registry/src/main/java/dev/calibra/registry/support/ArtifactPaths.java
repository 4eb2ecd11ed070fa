package dev.calibra.registry.support;

import dev.calibra.rpc.CalibraException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a client-supplied location ("file:/abs" or "/abs") into a checked local path. */
public final class ArtifactPaths {

    private ArtifactPaths() {}

    public static Path existing(String location, String field) {
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
        return path.normalize();
    }
}
