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

    /** Review finding 1: unset meant any path, so a member could read a pod's service-account token as a corpus. */
    @Test
    void unset_allowsOnlyTheAlwaysAllowedFolders_andAnyPathMustBeAskedFor() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path token = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
        for (String unset : new String[] {null, "", "  "}) {
            AllowedRoots roots = AllowedRoots.parse(unset, store);
            roots.check("calibration_set.artifact_uri", store.resolve("calibration/set.safetensors"));
            CalibraException refused = assertThrows(CalibraException.class, () -> roots.check("path", token));
            assertEquals(CalibraException.Kind.PERMISSION_DENIED, refused.kind());
            assertTrue(refused.getMessage().contains("CALIBRA_ALLOWED_ROOTS is unset"), refused.getMessage());
            assertThrows(CalibraException.class, () -> roots.check("path", Path.of("/etc/passwd")));
        }
        AllowedRoots any = AllowedRoots.parse(" * ");
        any.check("path", Path.of("/etc/passwd"));
        assertEquals(false, any.restricted());
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
