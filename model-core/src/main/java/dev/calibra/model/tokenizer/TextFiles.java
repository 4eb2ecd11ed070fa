package dev.calibra.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file whole as Python's {@code open(path).read()} does (UTF-8, universal newlines:
 * "\r\n" and "\r" become "\n"), so token streams match the Python reference implementations.
 */
public final class TextFiles {

    private TextFiles() {}

    public static String read(Path path) throws IOException {
        return normalizeNewlines(Files.readString(path, StandardCharsets.UTF_8));
    }

    public static String normalizeNewlines(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
