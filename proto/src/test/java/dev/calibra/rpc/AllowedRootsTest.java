package dev.calibra.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowedRootsTest {

    @TempDir Path dir;

    @Test
    void unsetAllowsAnyPath() {
        AllowedRoots.parse("").check("path", Path.of("/etc/passwd"));
        AllowedRoots.parse(null).check("path", Path.of("/etc/passwd"));
    }

    @Test
    void refusesPathsOutsideTheRootsNamingTheField() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createDirectories(models.resolve("m1"));
        AllowedRoots roots = AllowedRoots.parse(models + ":" + dir.resolve("corpora"));
        roots.check("artifact_uri", models.resolve("m1"));
        roots.check("source_uri", dir.resolve("corpora/new.txt"));  // not there yet: checked by its nearest parent
        CalibraException refused = assertThrows(CalibraException.class, () -> roots.check("artifact_uri", Path.of("/etc")));
        assertEquals(CalibraException.Kind.PERMISSION_DENIED, refused.kind());
        assertTrue(refused.getMessage().startsWith("artifact_uri /etc lies outside the allowed roots"), refused.getMessage());
        assertThrows(CalibraException.class, () -> roots.check("path", models.resolve("../secrets")));
    }

    @Test
    void aLinkInsideARootDoesNotLeadOut() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        AllowedRoots roots = AllowedRoots.parse(root.toString());
        assertThrows(CalibraException.class, () -> roots.check("path", root.resolve("escape/file.txt")));
    }

    @Test
    void extraRootsAreAlwaysAllowed() {
        AllowedRoots roots = AllowedRoots.parse("/data/models", dir);
        roots.check("artifact_uri", dir.resolve("models/m1"));
    }
}
