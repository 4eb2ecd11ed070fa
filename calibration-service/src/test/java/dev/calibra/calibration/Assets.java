package dev.calibra.calibration;

import java.nio.file.Path;

/** The shared assets (surefire sets calibra.shared); never copied into the repository. */
public final class Assets {

    private Assets() {}

    public static Path root() {
        return Path.of(System.getProperty("calibra.shared", "../../shared")).resolve("assets").toAbsolutePath().normalize();
    }

    public static Path corpus(String file) {
        return root().resolve("corpora").resolve(file);
    }

    public static Path stories260K() {
        return root().resolve("models/stories260K");
    }
}
