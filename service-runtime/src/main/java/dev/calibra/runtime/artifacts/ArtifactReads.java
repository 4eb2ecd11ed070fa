package dev.calibra.runtime.artifacts;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.rpc.CalibraException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading registered artifacts in a worker, with the store's failures told apart as the job queue needs them. */
public final class ArtifactReads {

    private ArtifactReads() {}

    /**
     * The local path of a registered location ({@link ArtifactStores#localPath}). An artifact missing from the store
     * is DATA_LOSS (its record outlived it: retrying cannot help); any other failure to fetch it is UNAVAILABLE, so
     * the queue retries the job.
     */
    public static Path localPath(ArtifactStore store, String location, String what) {
        try {
            return ArtifactStores.localPath(store, location);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw CalibraException.dataLoss(what + " is registered at " + location
                        + ", but the artifact store has nothing there");
            }
            throw new CalibraException(CalibraException.Kind.UNAVAILABLE, "cannot fetch " + what + " from " + location
                    + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CalibraException.failedPrecondition(what + " is registered at " + location + ", which this service"
                    + " cannot read: " + e.getMessage());
        }
    }
}
