package dev.calibra.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * One repository's part of huggingface_hub's cache:
 * <pre>
 * &lt;cache&gt;/models--ORG--NAME/blobs/&lt;id&gt;                     the bytes, named by sha256 (LFS) or git sha1
 * &lt;cache&gt;/models--ORG--NAME/blobs/&lt;id&gt;.incomplete          a download in progress, resumed from its length
 * &lt;cache&gt;/models--ORG--NAME/snapshots/&lt;commit&gt;/&lt;path&gt;   the files of a commit, hard links to blobs
 * &lt;cache&gt;/models--ORG--NAME/refs/&lt;revision&gt;               the commit a branch or tag pointed at
 * &lt;cache&gt;/.locks/models--ORG--NAME/&lt;id&gt;.lock             held while a blob is downloaded
 * </pre>
 * huggingface_hub links snapshot files to blobs with relative symlinks; Calibra uses hard links (copies where
 * the file system has none), because the registry refuses symlinks inside model folders.
 */
final class HubCache {

    private final Path repoFolder;
    private final Path lockFolder;

    HubCache(Path cacheDir, String repoId) {
        String folderName = "models--" + repoId.replace("/", "--");
        this.repoFolder = cacheDir.resolve(folderName);
        this.lockFolder = cacheDir.resolve(".locks").resolve(folderName);
    }

    Path blob(String id) {
        return repoFolder.resolve("blobs").resolve(id);
    }

    Path incomplete(String id) {
        return repoFolder.resolve("blobs").resolve(id + ".incomplete");
    }

    Path snapshotFolder(String commit) {
        return repoFolder.resolve("snapshots").resolve(commit);
    }

    /** The snapshot file for a repository path; IllegalArgumentException if the path would leave the folder. */
    Path snapshotFile(String commit, String path) {
        Path folder = snapshotFolder(commit);
        Path file = folder.resolve(path).normalize();
        if (!RepoPaths.isSafe(path) || !file.startsWith(folder)) {
            throw new IllegalArgumentException("repository path '" + path + "' leaves the snapshot folder " + folder);
        }
        return file;
    }

    BlobLock lock(String id) throws IOException {
        return BlobLock.acquire(lockFolder.resolve(id + ".lock"));
    }

    /** The commit a branch or tag pointed at when it was last pulled. */
    Optional<String> readRef(String revision) throws IOException {
        Path ref = repoFolder.resolve("refs").resolve(revision);
        return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).strip()) : Optional.empty();
    }

    /** Records what a branch or tag points at, atomically so a concurrent reader never sees half a commit. */
    void writeRef(String revision, String commit) throws IOException {
        if (readRef(revision).filter(commit::equals).isPresent()) {
            return;
        }
        Path ref = repoFolder.resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Path temporary = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.writeString(temporary, commit, StandardCharsets.UTF_8);
        Files.move(temporary, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Moves a verified download into place: synced to disk first, then one atomic rename. */
    void commitBlob(Path incomplete, String id) throws IOException {
        try (FileChannel channel = FileChannel.open(incomplete, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(incomplete, blob(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Makes {@code target} the blob's bytes: a hard link, or a copy (written beside it, then renamed) where hard
     * links fail. Whatever was at {@code target} before, a symlink left by huggingface_hub included, is replaced.
     */
    void link(Path blob, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isSymbolicLink(target) && Files.isSameFile(target, blob)) {
                return;
            }
            Files.delete(target);
        }
        try {
            Files.createLink(target, blob);
        } catch (FileSystemException | UnsupportedOperationException e) {
            // No hard links here (another device, a file system without them): a copy costs disk, not correctness.
            Path temporary = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.copy(blob, temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
