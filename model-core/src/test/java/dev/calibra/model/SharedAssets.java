package dev.calibra.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates /work/shared-style assets: system property calibra.shared, else ../shared next to the checkout. */
public final class SharedAssets {

    private SharedAssets() {}

    public static Path root() {
        String property = System.getProperty("calibra.shared");
        if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property))) {
            return Path.of(property);
        }
        // the module runs in <checkout>/model-core; shared sits next to the checkout
        Path fallback = Path.of("").toAbsolutePath().getParent().resolveSibling("shared");
        if (Files.isDirectory(fallback)) {
            return fallback;
        }
        throw new IllegalStateException("shared assets not found: set -Dcalibra.shared (tried " + fallback + ")");
    }

    public static Path stories260K() {
        return root().resolve("assets/models/stories260K");
    }

    public static Path testVectors() {
        return root().resolve("testvectors");
    }

    public static Path corpus(String fileName) {
        return root().resolve("assets/corpora").resolve(fileName);
    }
}
