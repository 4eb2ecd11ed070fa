package dev.calibra.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared assets, from -Dcalibra.shared (surefire sets it) or ../shared next to the checkout. */
public final class Assets {

    private Assets() {}

    public static Path shared() {
        String property = System.getProperty("calibra.shared");
        Path root = property != null && !property.isBlank() ? Path.of(property)
                : Path.of("").toAbsolutePath().getParent().resolveSibling("shared");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared assets not found at " + root + "; set -Dcalibra.shared");
        }
        return root;
    }

    public static Path assets() {
        return shared().resolve("assets");
    }

    public static Path stories260K() {
        return assets().resolve("models/stories260K");
    }
}
