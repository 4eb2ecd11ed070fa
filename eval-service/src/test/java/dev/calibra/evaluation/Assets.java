package dev.calibra.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's assets/, under -Dcalibra.root (the parent pom sets it), else the module's parent. */
public final class Assets {

    private Assets() {}

    public static Path root() {
        Path root = Path.of(System.getProperty("calibra.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("assets"))) {
            throw new IllegalStateException("no assets/ under " + root + ": set -Dcalibra.root to the repository root");
        }
        return root;
    }

    public static Path assets() {
        return root().resolve("assets");
    }

    public static Path stories260K() {
        return assets().resolve("models/stories260K");
    }
}
