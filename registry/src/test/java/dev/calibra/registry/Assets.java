package dev.calibra.registry;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's assets/, under -Dcalibra.root (the parent pom sets it), else the module's parent. */
public final class Assets {

    private Assets() {}

    public static Path root() {
        Path path = Path.of(System.getProperty("calibra.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(path.resolve("assets"))) {
            throw new IllegalStateException("no assets/ under " + path + ": set -Dcalibra.root to the repository root");
        }
        return path;
    }

    public static Path stories260K() {
        return root().resolve("assets/models/stories260K");
    }

    public static Path corpus(String file) {
        return root().resolve("assets/corpora").resolve(file);
    }
}
