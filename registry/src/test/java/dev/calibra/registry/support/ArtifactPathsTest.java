package dev.calibra.registry.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactPathsTest {

    @TempDir Path dir;

    @Test
    void registrationOnlyFromAllowedRootsOrTheStore() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models/base"));
        Path store = Files.createDirectories(dir.resolve("artifacts/models/mdl-1"));
        Path elsewhere = Files.createDirectories(dir.resolve("home/someone/model"));
        AllowedRoots allowed = AllowedRoots.parse(dir.resolve("models").toString(), dir.resolve("artifacts"));
        assertEquals(models, ArtifactPaths.existing("file:" + models, "artifact_uri", allowed));
        assertEquals(store, ArtifactPaths.existing(store.toString(), "artifact_uri", allowed));
        CalibraException refused = assertThrows(CalibraException.class,
                () -> ArtifactPaths.existing(elsewhere.toString(), "source_uri", allowed));
        assertEquals(CalibraException.Kind.PERMISSION_DENIED, refused.kind());
        assertThrows(CalibraException.class,
                () -> ArtifactPaths.existing(models + "/../../home/someone/model", "artifact_uri", allowed));
    }
}
