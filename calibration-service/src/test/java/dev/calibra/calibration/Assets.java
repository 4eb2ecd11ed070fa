package dev.calibra.calibration;

import java.nio.file.Path;

/** The repository's assets/, under -Dcalibra.root (the parent pom sets it), else the module's parent. */
public final class Assets {

    private Assets() {}

    public static Path root() {
        return Path.of(System.getProperty("calibra.root", "..")).resolve("assets").toAbsolutePath().normalize();
    }

    public static Path corpus(String file) {
        return root().resolve("corpora").resolve(file);
    }

    public static Path stories260K() {
        return root().resolve("models/stories260K");
    }
}
