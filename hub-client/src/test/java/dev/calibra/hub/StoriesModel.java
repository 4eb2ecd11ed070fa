package dev.calibra.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real stories260K model files (llama2.c's 260K-parameter TinyStories model) that the tests serve: two small
 * JSON files under the LFS threshold and two larger files the local hub serves as LFS, from the repository's
 * {@code assets/models/stories260K} (under {@code -Dcalibra.root}, set by the parent pom, else the module's parent).
 */
final class StoriesModel {

    static final String REPO_ID = "calibra-test/stories260K";
    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json");

    private StoriesModel() {}

    static Path source() {
        Path folder = Path.of(System.getProperty("calibra.root", "..")).resolve("assets/models/stories260K");
        if (!Files.isRegularFile(folder.resolve("model.safetensors"))) {
            throw new IllegalStateException("the stories260K model files are not in " + folder + " (set -Dcalibra.root to the checkout)");
        }
        return folder;
    }

    /** Copies the model's files into {@code folder}, which becomes the served repository. */
    static Path copyTo(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String name : FILES) {
            Files.copy(source().resolve(name), folder.resolve(name));
        }
        return folder;
    }
}
