package dev.calibra.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The folders callers may name as model, corpus and perplexity sources (CALIBRA_ALLOWED_ROOTS, separated by
 * ':' or ','; the system property calibra.allowed-roots when the variable is unset). Deny by default: unset
 * allows only the artifact store and the assets folder; any path must be asked for with "*" (the local stack,
 * one user's own machine, does). Paths are compared after resolving symbolic links, so a link inside a root
 * cannot lead out of it.
 */
public final class AllowedRoots {

    /** The value that allows any path. */
    public static final String ANY = "*";

    private final List<Path> roots;
    private final boolean any;
    private final String source;

    private AllowedRoots(List<Path> roots, boolean any, String source) {
        this.roots = roots;
        this.any = any;
        this.source = source;
    }

    /** From the value of CALIBRA_ALLOWED_ROOTS ("*": any path; null or blank: none), plus always-allowed extras. */
    public static AllowedRoots parse(String value, Path... alwaysAllowed) {
        if (value != null && value.strip().equals(ANY)) {
            return new AllowedRoots(List.of(), true, ANY);
        }
        List<Path> roots = new ArrayList<>();
        if (value != null) {
            for (String part : value.split("[:,]")) {
                if (!part.isBlank()) {
                    roots.add(real(Path.of(part.trim()).toAbsolutePath().normalize()));
                }
            }
        }
        boolean unset = roots.isEmpty();
        for (Path extra : alwaysAllowed) {
            roots.add(real(extra.toAbsolutePath().normalize()));
        }
        String listed = roots.stream().map(Path::toString).collect(Collectors.joining(":"));
        return new AllowedRoots(List.copyOf(roots), false, unset
                ? "CALIBRA_ALLOWED_ROOTS is unset, so only the artifact store and the assets folder: " + listed
                + "; set it to the folders callers may name, or to * for any path"
                : "CALIBRA_ALLOWED_ROOTS: " + listed);
    }

    /**
     * CALIBRA_ALLOWED_ROOTS (or -Dcalibra.allowed-roots), with the artifact store and the assets folder
     * (CALIBRA_ARTIFACTS, CALIBRA_ASSETS, where set) always allowed, plus the given extras.
     */
    public static AllowedRoots fromEnvironment(Path... alwaysAllowed) {
        String value = System.getenv("CALIBRA_ALLOWED_ROOTS");
        if (value == null) {
            value = System.getProperty("calibra.allowed-roots");
        }
        List<Path> extras = new ArrayList<>(List.of(alwaysAllowed));
        for (String variable : List.of("CALIBRA_ARTIFACTS", "CALIBRA_ASSETS")) {
            String folder = System.getenv(variable);
            if (folder != null && !folder.isBlank()) {
                extras.add(Path.of(folder));
            }
        }
        return parse(value, extras.toArray(Path[]::new));
    }

    public boolean restricted() {
        return !any;
    }

    /** Throws PERMISSION_DENIED naming the field when path lies outside every allowed root. */
    public void check(String field, Path path) {
        if (any) {
            return;
        }
        Path resolved = real(path.toAbsolutePath().normalize());
        for (Path root : roots) {
            if (resolved.startsWith(root)) {
                return;
            }
        }
        throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, field + " " + path
                + " lies outside the allowed roots (" + source + ")");
    }
    /** The real path where it exists (links resolved), else the nearest existing parent's plus the rest. */
    public static Path real(Path path) {
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
