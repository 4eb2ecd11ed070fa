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
            digest.update(folderEntryHeader(relativeName(folder, file), Files.size(file)));
            update(digest, file);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * What a folder's hash takes in before each file's bytes: the relative name, length-prefixed so that ("ab", "c")
     * and ("a", "bc") never collide, then the size. Stores that hash a folder file by file (while uploading or
     * downloading it) feed this, then the bytes, for each file in {@link #filesOf} order.
     */
    static byte[] folderEntryHeader(String relativeName, long sizeBytes) {
        byte[] name = relativeName.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[8 + name.length + 8];
        System.arraycopy(longBytes(name.length), 0, header, 0, 8);
        System.arraycopy(name, 0, header, 8, name.length);
        System.arraycopy(longBytes(sizeBytes), 0, header, 8 + name.length, 8);
        return header;
    }

    /** A file's name relative to the folder, with '/' separators: what the folder hash covers. */
    static String relativeName(Path folder, Path file) {
        return folder.relativize(file).toString().replace('\\', '/');
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

    /** Every regular file under the folder, in the order the folder hash takes them. */
    static List<Path> filesOf(Path folder) throws IOException {
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
