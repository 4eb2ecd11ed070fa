package dev.calibra.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The folders a shared deployment lets callers name as model and corpus sources (CALIBRA_ALLOWED_ROOTS,
 * separated by ':' or ','). Unset: any local path, as in the local stack. Paths are compared after
 * resolving symbolic links, so a link inside a root cannot lead out of it.
 */
public final class AllowedRoots {

    private final List<Path> roots;

    private AllowedRoots(List<Path> roots) {
        this.roots = roots;
    }

    /** From the value of CALIBRA_ALLOWED_ROOTS (null or blank: everything allowed), plus always-allowed extras. */
    public static AllowedRoots parse(String value, Path... alwaysAllowed) {
        if (value == null || value.isBlank()) {
            return new AllowedRoots(List.of());
        }
        List<Path> roots = new ArrayList<>();
        for (String part : value.split("[:,]")) {
            if (!part.isBlank()) {
                roots.add(real(Path.of(part.trim()).toAbsolutePath().normalize()));
            }
        }
        for (Path extra : alwaysAllowed) {
            roots.add(real(extra.toAbsolutePath().normalize()));
        }
        return new AllowedRoots(List.copyOf(roots));
    }

    public static AllowedRoots fromEnvironment(Path... alwaysAllowed) {
        return parse(System.getenv("CALIBRA_ALLOWED_ROOTS"), alwaysAllowed);
    }

    public boolean restricted() {
        return !roots.isEmpty();
    }

    /** Throws PERMISSION_DENIED naming the field when path lies outside every allowed root. */
    public void check(String field, Path path) {
        if (roots.isEmpty()) {
            return;
        }
        Path resolved = real(path.toAbsolutePath().normalize());
        for (Path root : roots) {
            if (resolved.startsWith(root)) {
                return;
            }
        }
        throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, field + " " + path
                + " lies outside the allowed roots (CALIBRA_ALLOWED_ROOTS: "
                + roots.stream().map(Path::toString).collect(Collectors.joining(":")) + ")");
    }

    /** The real path where it exists (links resolved), else the nearest existing parent's plus the rest. */
    private static Path real(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException e) {
            return path;
        }
    }
}
