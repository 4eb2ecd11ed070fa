package dev.calibra.model.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file whole as Python's {@code open(path).read()} does (UTF-8, universal newlines:
 * "\r\n" and "\r" become "\n"), so token streams match the Python reference implementations.
 */
public final class TextFiles {

    private TextFiles() {}

    /** The file's text; a file that is not UTF-8 is an {@link IllegalArgumentException} naming the byte offset. */
    public static String read(Path path) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
        try {
            return normalizeNewlines(StandardCharsets.UTF_8.newDecoder().decode(bytes).toString());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(path + " is not UTF-8 text (byte offset " + bytes.position() + ")", e);
        }
    }

    public static String normalizeNewlines(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
