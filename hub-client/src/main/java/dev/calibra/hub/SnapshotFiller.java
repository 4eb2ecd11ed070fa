package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Puts each listed file of a commit into its snapshot folder: from the cache when its blob is there and still
 * hashes to its id, otherwise downloaded under the blob's lock, moved into {@code blobs/} and linked.
 */
final class SnapshotFiller {

    private final HubCache cache;
    private final FileDownload download;
    private final String resolveBase;
    private final String commit;

    SnapshotFiller(HubCache cache, FileDownload download, URI endpoint, HubReference reference, String commit) {
        this.cache = cache;
        this.download = download;
        this.resolveBase = endpoint + "/" + reference.repoId() + "/resolve/" + commit + "/";
        this.commit = commit;
    }

    PulledFile fill(RepoFile file, ProgressTracker progress) throws HubException {
        Path target = cache.snapshotFile(commit, file.path());
        try {
            Optional<PulledFile> hit = fromCache(file, target);
            if (hit.isPresent()) {
                return hit.get();
            }
            try (BlobLock lock = cache.lock(file.blobId())) {
                // Another process may have stored the blob while this one waited for the lock.
                hit = fromCache(file, target);
                if (hit.isPresent()) {
                    return hit.get();
                }
                URI url = URI.create(resolveBase + RepoPaths.encodePath(file.path()));
                Path incomplete = cache.incomplete(file.blobId());
                FileDownload.Result result = download.run(url, commit, file, incomplete, progress);
                cache.commitBlob(incomplete, file.blobId());
                cache.link(cache.blob(file.blobId()), target);
                return new PulledFile(file.path(), file.sizeBytes(), result.sha256(), file.blobId(), true,
                        result.resumedFromBytes());
            }
        } catch (IOException e) {
            throw new HubException(Kind.UNAVAILABLE, "the hub cache could not store '" + file.path() + "' at "
                    + target + ": " + HubErrors.describe(e), e);
        }
    }

    /** The file from its cached blob, if the blob is there and its bytes still hash to the hub's id. */
    private Optional<PulledFile> fromCache(RepoFile file, Path target) throws IOException {
        Path blob = cache.blob(file.blobId());
        if (!Files.isRegularFile(blob) || Files.size(blob) != file.sizeBytes()) {
            return Optional.empty();
        }
        BlobHashes.Hex hex = BlobHashes.ofFile(blob, !file.isLfs());
        if (!hex.idFor(file).equals(file.blobId())) {
            // Changed since it was verified (edited through a hard link, a disk fault): fetch it again.
            Files.delete(blob);
            return Optional.empty();
        }
        cache.link(blob, target);
        return Optional.of(new PulledFile(file.path(), file.sizeBytes(), hex.sha256(), file.blobId(), false, 0));
    }
}
