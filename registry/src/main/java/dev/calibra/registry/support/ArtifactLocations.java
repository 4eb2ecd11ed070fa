package dev.calibra.registry.support;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.S3Location;
import dev.calibra.rpc.CalibraException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks the locations clients register: local paths as {@link ArtifactPaths} does, and s3: URIs against the object
 * store the registry is configured with (CALIBRA_ARTIFACT_STORE), reading only what the store recorded of them (the
 * object's metadata, a folder's manifest), never their content.
 */
@ApplicationScoped
public class ArtifactLocations {

    private final Optional<ArtifactStore> objectStore;
    private final String configured;

    public ArtifactLocations(@ConfigProperty(name = "calibra.artifacts.root") Optional<String> root,
            @ConfigProperty(name = "calibra.artifacts.cache") Optional<String> cache) throws IOException {
        this.configured = root.filter(value -> !value.isBlank()).orElse("");
        // the registry downloads nothing; the store still wants a folder for its (unused) cache
        Path cacheDir = cache.filter(value -> !value.isBlank()).map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "calibra-registry-cache"));
        this.objectStore = S3Location.isUri(configured)
                ? Optional.of(ArtifactStores.open(configured, System.getenv(), cacheDir))
                : Optional.empty();
    }

    /** An existing artifact at {@code location}; INVALID_ARGUMENT (naming {@code field}) otherwise. */
    public ArtifactLocation existing(String location, String field) {
        if (!S3Location.isUri(location)) {
            return ArtifactLocation.local(ArtifactPaths.existing(location, field));
        }
        ArtifactStore store = objectStore.orElseThrow(() -> CalibraException.invalidArgument(field + " '" + location
                + "' is in object storage, but the registry's artifact store is "
                + (configured.isEmpty() ? "not configured" : configured) + " (CALIBRA_ARTIFACT_STORE)"));
        try {
            URI uri = URI.create(location);
            return ArtifactLocation.stored(uri.toString(), store.recorded(uri).orElseThrow());
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument(field + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw CalibraException.invalidArgument(field + " '" + location + "' does not exist in the artifact store");
        } catch (IOException e) {
            throw new CalibraException(CalibraException.Kind.UNAVAILABLE, "cannot read " + field + " '" + location
                    + "' in the artifact store: " + e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        objectStore.ifPresent(ArtifactStore::close);
    }
}
