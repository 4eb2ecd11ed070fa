package dev.calibra.artifacts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An artifact store in a local (or shared, e.g. NFS) directory, addressed by {@code file:} URIs.
 * Writes land in {@code .tmp/} under the root, are fsynced and then renamed into place atomically,
 * so a reader sees either nothing or the whole artifact.
 */
public final class LocalArtifactStore implements ArtifactStore {

    private static final String TEMP_FOLDER = ".tmp";

    private final Path root;

    public LocalArtifactStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root.resolve(TEMP_FOLDER));
    }

    public Path root() {
        return root;
    }

    @Override
    public StoredArtifact putFile(String key, FileWriter writer) throws IOException {
        Path target = pathOf(key);
        Path temp = temporaryPath(key);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            publish(temp, target);
        } finally {
            deleteRecursively(temp);
        }
        return describe(key, target);
    }

    @Override
    public StoredArtifact putFolder(String key, FolderWriter writer) throws IOException {
        Path target = pathOf(key);
        Path temp = temporaryPath(key);
        try {
            Files.createDirectories(temp);
            writer.write(temp);
            syncTree(temp);
            publish(temp, target);
        } finally {
            deleteRecursively(temp);
        }
        return describe(key, target);
    }

    @Override
    public Path resolve(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("artifact URI " + uri + " is not a file: URI of this store");
        }
        Path path = Path.of(uri).toAbsolutePath().normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("artifact URI " + uri + " lies outside the store root " + root);
        }
        return path;
    }

    @Override
    public URI uriOf(String key) {
        return pathOf(key).toUri();
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(pathOf(key));
    }

    @Override
    public void delete(String key) throws IOException {
        deleteRecursively(pathOf(key));
    }

    @Override
    public List<String> listKeys(String folderKey) throws IOException {
        Path folder = pathOf(folderKey);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.map(child -> ContentHash.relativeName(root, child)).sorted().toList();
        }
    }

    @Override
    public Path localFolder(String folderKey) {
        return pathOf(folderKey);
    }

    /** Maps a key to a path under the root, refusing absolute keys and ".." escapes. */
    Path pathOf(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("artifact key is empty");
        }
        Path relative = Path.of(key);
        Path path = root.resolve(relative).normalize();
        if (relative.isAbsolute() || !path.startsWith(root) || path.equals(root) || path.startsWith(root.resolve(TEMP_FOLDER))) {
            throw new IllegalArgumentException("artifact key '" + key + "' escapes the store root " + root);
        }
        return path;
    }

    private Path temporaryPath(String key) {
        String leaf = Path.of(key).getFileName().toString();
        return root.resolve(TEMP_FOLDER).resolve(leaf + "." + UUID.randomUUID() + ".partial");
    }

    private static void publish(Path temp, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            throw new java.nio.file.FileAlreadyExistsException(target.toString(), null,
                    "an artifact is already stored there; artifacts are immutable");
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store at " + target.getParent() + " cannot rename atomically", e);
        }
        fsyncDirectory(target.getParent());
    }

    private static StoredArtifact describe(String key, Path target) throws IOException {
        return new StoredArtifact(key, target.toUri(), target, ContentHash.of(target), ContentHash.sizeOf(target));
    }

    private static void syncTree(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
        }
    }

    private static void fsyncDirectory(Path dir) {
        // Makes the rename durable; some filesystems refuse to open directories, which is fine.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
