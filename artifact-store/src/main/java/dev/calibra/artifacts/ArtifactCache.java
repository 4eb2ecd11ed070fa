package dev.calibra.artifacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.UUID;

/**
 * The local copies a remote store reads through, one per artifact key, under a cache folder on this host:
 * <ul>
 *   <li>{@code <cache>/<bucket>/<prefix>/<key>}: the artifact's content (a file or a folder);
 *   <li>{@code <cache>/.verified/<sha256 of bucket, prefix and key>}: the sha256 the content was checked against,
 *       and every file's name, size, modification time and file key (inode) when it was;
 *   <li>{@code <cache>/.tmp/}: downloads (and uploads) in progress, renamed into place only once verified, so a cut
 *       download never looks complete.
 * </ul>
 * An entry whose record matches the remote sha256 and whose files are unchanged is used as it is; a changed entry
 * is hashed again, and downloaded again when its bytes no longer match.
 */
final class ArtifactCache {

    /** Fills {@code temp} (a path that does not exist yet) with verified content. */
    @FunctionalInterface
    interface Download {
        void into(Path temp) throws IOException;
    }

    private static final String TEMP_FOLDER = ".tmp";
    private static final String RECORDS_FOLDER = ".verified";
    private static final int LOCK_STRIPES = 64;

    private final Path tempFolder;
    private final Path contentRoot;
    private final Path recordFolder;
    private final String namespace;
    private final Object[] locks = new Object[LOCK_STRIPES];

    ArtifactCache(Path cacheDir, S3Location location) throws IOException {
        Path root = cacheDir.toAbsolutePath().normalize();
        this.tempFolder = Files.createDirectories(root.resolve(TEMP_FOLDER));
        this.contentRoot = root.resolve(Path.of(location.bucket(),
                location.prefix().isEmpty() ? new String[0] : location.prefix().split("/")));
        this.recordFolder = Files.createDirectories(root.resolve(RECORDS_FOLDER));
        this.namespace = location.root().toString();
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** A fresh path in the cache's staging folder, on the cache's file system so that it can be renamed in. */
    Path temporary(String key) {
        String leaf = key.substring(key.lastIndexOf('/') + 1);
        return tempFolder.resolve(leaf + "." + UUID.randomUUID() + ".partial");
    }

    /** Where {@code key}'s content is (or would be) cached. */
    Path pathOf(String key) {
        return contentRoot.resolve(key);
    }

    /** The cached copy of {@code key}, checked against {@code sha256}, downloading it when missing or changed. */
    Path get(String key, String sha256, Download download) throws IOException {
        synchronized (lockOf(key)) {
            Path target = pathOf(key);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(recordOf(key)) && Files.readString(recordOf(key)).equals(record(sha256, target))) {
                    return target;
                }
                // New to this cache (e.g. a file of a folder cached whole) or changed since: trust only its bytes.
                if (ContentHash.of(target).equals(sha256)) {
                    writeRecord(key, target, sha256);
                    return target;
                }
            }
            Path temp = temporary(key);
            try {
                download.into(temp);
                return keep(key, temp, sha256);
            } finally {
                LocalArtifactStore.deleteRecursively(temp);
            }
        }
    }

    /** Renames verified content (a finished download, or what was just uploaded) into place as {@code key}'s copy. */
    Path keep(String key, Path temp, String sha256) throws IOException {
        synchronized (lockOf(key)) {
            Path target = pathOf(key);
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(recordOf(key));
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Path stale = temporary(key);
                move(target, stale);
                LocalArtifactStore.deleteRecursively(stale);
            }
            try {
                move(temp, target);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another process cached it meanwhile: use theirs when it holds the same bytes
                if (!ContentHash.of(target).equals(sha256)) {
                    throw new IOException("the cached copy " + target + " was replaced by other content while this"
                            + " process cached it", raced);
                }
            }
            writeRecord(key, target, sha256);
            return target;
        }
    }

    /** Drops {@code key}'s cached copy, if any. */
    void evict(String key) throws IOException {
        synchronized (lockOf(key)) {
            Files.deleteIfExists(recordOf(key));
            LocalArtifactStore.deleteRecursively(pathOf(key));
        }
    }

    private Object lockOf(String key) {
        return locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)];
    }

    /** Records live in one flat folder, named by hash, so that no key's record can collide with another's folders. */
    private Path recordOf(String key) {
        return recordFolder.resolve(ContentHash.ofBytes((namespace + "/" + key).getBytes(StandardCharsets.UTF_8)));
    }

    private void writeRecord(String key, Path target, String sha256) throws IOException {
        Path temp = temporary(key);
        Files.writeString(temp, record(sha256, target));
        move(temp, recordOf(key));
    }

    /** The sha256 and every file's name, size, modification time and file key (inode): a change shows here. */
    private static String record(String sha256, Path target) throws IOException {
        StringBuilder text = new StringBuilder(sha256).append('\n');
        List<Path> files = Files.isDirectory(target) ? ContentHash.filesOf(target) : List.of(target);
        for (Path file : files) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            text.append(target.relativize(file)).append('\t').append(attributes.size()).append('\t')
                    .append(attributes.lastModifiedTime()).append('\t').append(attributes.fileKey()).append('\n');
        }
        return text.toString();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the artifact cache at " + to.getParent() + " cannot rename atomically", e);
        }
    }
}
