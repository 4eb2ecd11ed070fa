package dev.calibra.registry;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared real assets (../shared/assets), located through the calibra.shared property. */
public final class Assets {

    private Assets() {}

    public static Path shared() {
        Path path = Path.of(System.getProperty("calibra.shared", "../../shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(path.resolve("assets"))) {
            throw new IllegalStateException("shared assets not found at " + path + "; set -Dcalibra.shared");
        }
        return path;
    }

    public static Path stories260K() {
        return shared().resolve("assets/models/stories260K");
    }

    public static Path corpus(String file) {
        return shared().resolve("assets/corpora").resolve(file);
    }
}
