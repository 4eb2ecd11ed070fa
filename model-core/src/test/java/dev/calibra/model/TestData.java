package dev.calibra.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's assets/ and testvectors/: system property calibra.root (the parent pom sets it), else the module's parent. */
public final class TestData {

    private TestData() {}

    public static Path root() {
        Path root = Path.of(System.getProperty("calibra.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("assets"))) {
            throw new IllegalStateException("no assets/ under " + root + ": set -Dcalibra.root to the repository root");
        }
        return root;
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
