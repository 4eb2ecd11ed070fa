package dev.calibra.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * sha256 of files and folders. A folder's hash covers every regular file's relative path (with '/'
 * separators) and bytes, in path order, so the same content hashes the same on any machine.
 */
public final class ContentHash {

    private static final int BUFFER_BYTES = 1 << 20;

    private ContentHash() {}

    /** sha256 (hex) of a file, or of a folder's content. */
    public static String of(Path path) throws IOException {
        return Files.isDirectory(path) ? ofFolder(path) : ofFile(path);
    }

    public static String ofFile(Path file) throws IOException {
        MessageDigest digest = sha256();
        update(digest, file);
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String ofFolder(Path folder) throws IOException {
        MessageDigest digest = sha256();
        for (Path file : filesOf(folder)) {
            String relative = folder.relativize(file).toString().replace('\\', '/');
            byte[] name = relative.getBytes(StandardCharsets.UTF_8);
            // Length-prefix the name so that ("ab", "c") and ("a", "bc") never collide.
            digest.update(longBytes(name.length));
            digest.update(name);
            digest.update(longBytes(Files.size(file)));
            update(digest, file);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String ofBytes(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** Total size in bytes of a file or of every file in a folder. */
    public static long sizeOf(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return Files.size(path);
        }
        long total = 0;
        for (Path file : filesOf(path)) {
            total += Files.size(file);
        }
        return total;
    }

    private static List<Path> filesOf(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile)
                    .sorted((a, b) -> folder.relativize(a).toString().compareTo(folder.relativize(b).toString()))
                    .toList();
        }
    }

    private static void update(MessageDigest digest, Path file) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
    }

    private static byte[] longBytes(long value) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("the JVM has no SHA-256", e));
        }
    }
}
