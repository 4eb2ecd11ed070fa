package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A pull with the network off ({@code HF_HUB_OFFLINE}): the revision is read from {@code refs/} (or is a commit),
 * and its snapshot folder is taken as it is on disk, like huggingface_hub's {@code local_files_only}. Each file
 * is hashed and must still be one of the cache's blobs; a snapshot written by huggingface_hub (symlinks) works,
 * and its symlinks are replaced by hard links.
 */
final class OfflineSnapshot {

    private final HubSettings settings;
    private final HubCache cache;
    private final HubReference reference;

    OfflineSnapshot(HubSettings settings, HubCache cache, HubReference reference) {
        this.settings = settings;
        this.cache = cache;
        this.reference = reference;
    }

    PulledRepository open(List<String> includeGlobs, DownloadListener listener) throws HubException {
        try {
            String commit = reference.isCommit() ? reference.revision() : cache.readRef(reference.revision())
                    .filter(ref -> ref.matches("[0-9a-f]{40}"))
                    .orElseThrow(() -> notCached("no ref for '" + reference.revision() + "'"));
            Path folder = cache.snapshotFolder(commit);
            if (!Files.isDirectory(folder)) {
                throw notCached("no snapshot folder " + folder);
            }
            Globs.Selection<String> selection = Globs.select(pathsIn(folder), p -> p, includeGlobs);
            if (!selection.unmatchedGlobs().isEmpty()) {
                throw notCached("no cached file matches --include '" + String.join("', '", selection.unmatchedGlobs()) + "'");
            }
            List<Cached> files = new ArrayList<>();
            for (String path : selection.selected()) {
                files.add(identify(commit, path));
            }
            ProgressTracker progress = new ProgressTracker(listener, files.stream().map(Cached::file).toList());
            List<PulledFile> pulled = new ArrayList<>();
            for (Cached cached : files) {
                RepoFile file = cached.file();
                Path onDisk = cache.snapshotFile(commit, file.path());
                if (Files.isSymbolicLink(onDisk)) {
                    cache.link(cache.blob(file.blobId()), onDisk);
                }
                PulledFile one = new PulledFile(file.path(), file.sizeBytes(), cached.sha256(), file.blobId(), false, 0);
                progress.done(file, one);
                pulled.add(one);
            }
            return new PulledRepository(reference, settings.endpoint(), commit, folder, pulled);
        } catch (IOException e) {
            throw new HubException(Kind.UNAVAILABLE, "the hub cache for " + reference.uri() + " could not be read: "
                    + HubErrors.describe(e), e);
        }
    }

    /** A cached file as the hub listed it, rebuilt from its bytes, and its sha256. */
    private record Cached(RepoFile file, String sha256) {}

    /** Hashes the cached file and finds its blob: named by its sha256 (LFS) or by its git oid. */
    private Cached identify(String commit, String path) throws IOException, HubException {
        Path file = cache.snapshotFile(commit, path);
        BlobHashes.Hex hex = BlobHashes.ofFile(file, true);
        long size = Files.size(file);
        if (Files.isRegularFile(cache.blob(hex.sha256()))) {
            return new Cached(new RepoFile(path, size, hex.gitOid(), hex.sha256()), hex.sha256());
        }
        if (Files.isRegularFile(cache.blob(hex.gitOid()))) {
            return new Cached(new RepoFile(path, size, hex.gitOid(), null), hex.sha256());
        }
        throw new HubException(Kind.INTEGRITY, "cached file '" + path + "' of " + reference.uri() + " (sha256 "
                + hex.sha256() + ", git oid " + hex.gitOid() + ") is none of the cache's blobs: it changed after it was"
                + " pulled; pull it again with offline mode off");
    }

    private HubException notCached(String why) {
        return new HubException(Kind.NOT_FOUND, reference.uri() + " is not in the hub cache (" + why + ") and offline"
                + " mode is on (HF_HUB_OFFLINE): pull it once with the network, or unset HF_HUB_OFFLINE");
    }

    private static List<String> pathsIn(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> folder.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }
}
