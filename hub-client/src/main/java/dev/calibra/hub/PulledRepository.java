package dev.calibra.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A pulled snapshot.
 *
 * @param reference what was asked for
 * @param endpoint  the hub it came from
 * @param commit    the 40-hex commit the revision resolved to
 * @param folder    the snapshot folder, {@code <cache>/models--ORG--NAME/snapshots/<commit>}; its files are
 *                  hard links to (or copies of) the cache's blobs, never symlinks
 * @param files     the files this pull selected, in path order
 */
public record PulledRepository(HubReference reference, URI endpoint, String commit, Path folder, List<PulledFile> files) {

    public PulledRepository {
        files = List.copyOf(files);
    }

    /** Total size in bytes of the selected files. */
    public long sizeBytes() {
        return files.stream().mapToLong(PulledFile::sizeBytes).sum();
    }
}
