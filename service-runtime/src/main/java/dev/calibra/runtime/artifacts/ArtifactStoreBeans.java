package dev.calibra.runtime.artifacts;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The worker services' artifact store, from {@code calibra.artifacts.root} (CALIBRA_ARTIFACT_STORE, else
 * CALIBRA_ARTIFACTS: a folder, or s3://bucket/prefix with the AWS variables) and, for an object store, the local
 * cache it reads through ({@code calibra.artifacts.cache}, CALIBRA_ARTIFACT_CACHE).
 */
@ApplicationScoped
public class ArtifactStoreBeans {

    @Produces
    @ApplicationScoped
    ArtifactStore artifactStore(@ConfigProperty(name = "calibra.artifacts.root") String location,
            @ConfigProperty(name = "calibra.artifacts.cache") Optional<String> cache) throws IOException {
        Path cacheDir = cache.filter(value -> !value.isBlank()).map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "calibra-artifact-cache"));
        return ArtifactStores.open(location.trim(), System.getenv(), cacheDir);
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }
}
