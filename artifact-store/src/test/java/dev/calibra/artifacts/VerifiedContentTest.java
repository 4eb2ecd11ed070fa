package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifiedContentTest {

    @TempDir Path folder;

    @Test
    void contentChangedAfterRegistration_isRefused_evenWhenSizeAndTimeAreKept() throws Exception {
        Path weights = Files.writeString(folder.resolve("model.safetensors"), "weights-v1");
        Files.writeString(folder.resolve("config.json"), "{}");
        String recorded = ContentHash.ofFolder(folder);
        VerifiedContent.require(folder, recorded, "model mdl-1");

        FileTime time = Files.getLastModifiedTime(weights);
        Files.writeString(weights, "weights-v2");           // same size, then the old time put back
        Files.setLastModifiedTime(weights, FileTime.fromMillis(time.toMillis() + 1));
        VerifiedContent.ChangedException changed = assertThrows(VerifiedContent.ChangedException.class,
                () -> VerifiedContent.require(folder, recorded, "model mdl-1"));
        assertTrue(changed.getMessage().startsWith("model mdl-1 at " + folder), changed.getMessage());

        Path file = Files.writeString(folder.resolve("set.safetensors"), "tokens");
        VerifiedContent.require(file, ContentHash.ofFile(file), "calibration set cal-1");
        assertThrows(VerifiedContent.ChangedException.class, () -> VerifiedContent.require(file, "0".repeat(64), "set"));
    }
}
