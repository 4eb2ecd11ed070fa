package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreLayoutTest {

    private final Path root = Path.of("/srv/store");

    @Test
    void eachTeamWritesUnderItsOwnFolder_andAPathNamesItsOwner() {
        assertEquals("teams/vision/models/job-1-a2", StoreLayout.model("vision", "job-1-a2"));
        assertEquals("teams/vision/checkpoints/job-1", StoreLayout.checkpoints("vision", "job-1"));
        assertEquals("teams/nlp/calibration/ab/cd", StoreLayout.calibration("nlp", "ab/cd"));
        assertEquals(Optional.of("nlp"), StoreLayout.ownerOf(root, root.resolve("teams/nlp/calibration/ab/cd")));
        assertEquals(Optional.empty(), StoreLayout.ownerOf(root, root.resolve("models/old-flat-layout")));
        assertEquals(Optional.empty(), StoreLayout.ownerOf(root, root.resolve("teams")));
        assertEquals(Optional.empty(), StoreLayout.ownerOf(root, Path.of("/elsewhere/teams/nlp/x")));
    }

    @Test
    void aKeyNamesItsOwner() {
        assertEquals(Optional.of("nlp"), StoreLayout.ownerOfKey("teams/nlp/models/run-1"));
        assertEquals(Optional.empty(), StoreLayout.ownerOfKey("teams/nlp"));
        assertEquals(Optional.empty(), StoreLayout.ownerOfKey("teams/nlp/"));
        assertEquals(Optional.empty(), StoreLayout.ownerOfKey("token-index/abc"));
    }

    @Test
    void namesThatWouldLeaveTheFolder_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.teamFolder("../nlp"));
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.teamFolder(""));
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.model("nlp", "../../teams/vision/models/x"));
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.checkpoints("nlp", "a/b"));
    }
}
