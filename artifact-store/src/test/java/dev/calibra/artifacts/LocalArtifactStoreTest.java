package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {

    @TempDir Path root;

    @Test
    void putFile_writesContentAndRecordsItsSha256() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        StoredArtifact stored = store.putFile("sets/a.bin", out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello", Files.readString(stored.path()));
        // sha256("hello")
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", stored.sha256());
        assertEquals(5, stored.sizeBytes());
        assertEquals(stored.path(), store.resolve(stored.uri()));
    }

    @Test
    void putFile_failingWriter_leavesNothingBehind() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        assertThrows(IOException.class, () -> store.putFile("sets/b.bin", out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertFalse(store.exists("sets/b.bin"));
        try (Stream<Path> temp = Files.list(root.resolve(".tmp"))) {
            assertEquals(0, temp.count(), "no temporary file may survive a failed write");
        }
    }

    @Test
    void putFolder_isAtomicAndHashesContent() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        StoredArtifact stored = store.putFolder("models/m1", dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            Files.createDirectories(dir.resolve("sub"));
            Files.writeString(dir.resolve("sub/w.bin"), "abc");
        });
        assertTrue(Files.isDirectory(stored.path()));
        assertEquals(ContentHash.ofFolder(stored.path()), stored.sha256());
        assertEquals(5, stored.sizeBytes());
        assertThrows(IOException.class, () -> store.putFolder("models/m1", dir -> {}), "artifacts are immutable");
    }

    @Test
    void putFolder_failingWriter_leavesNothingBehind() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        assertThrows(IOException.class, () -> store.putFolder("models/m2", dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            throw new IOException("interrupted");
        }));
        assertFalse(store.exists("models/m2"));
        try (Stream<Path> temp = Files.list(root.resolve(".tmp"))) {
            assertEquals(0, temp.count());
        }
    }

    @Test
    void keysAndUris_outsideTheRoot_areRefused() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        IllegalArgumentException traversal = assertThrows(IllegalArgumentException.class,
                () -> store.putFile("../escape.bin", out -> {}));
        assertTrue(traversal.getMessage().contains("escapes the store root"), traversal.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.putFile("/etc/passwd", out -> {}));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> store.resolve(URI.create("file:/etc/passwd")));
        assertTrue(outside.getMessage().contains("outside the store root"), outside.getMessage());
    }

    @Test
    void listKeys_givesWhatIsDirectlyUnderAFolder() throws IOException {
        LocalArtifactStore store = new LocalArtifactStore(root);
        store.putFolder("teams/nlp/models/run-1", dir -> Files.writeString(dir.resolve("config.json"), "{}"));
        store.putFile("teams/nlp/models/loose.bin", out -> out.write(1));
        store.putFile("teams/nlp/modelsX/other.bin", out -> out.write(1));
        assertEquals(List.of("teams/nlp/models/loose.bin", "teams/nlp/models/run-1"),
                store.listKeys("teams/nlp/models/"));
        assertEquals(List.of(), store.listKeys("teams/vision/models"));
        assertThrows(IllegalArgumentException.class, () -> store.listKeys("../"));
    }

    @Test
    void folderHash_dependsOnNamesAndBytes() throws IOException {
        Path a = Files.createDirectories(root.resolve("a"));
        Path b = Files.createDirectories(root.resolve("b"));
        Files.writeString(a.resolve("x"), "1");
        Files.writeString(b.resolve("x"), "1");
        assertEquals(ContentHash.ofFolder(a), ContentHash.ofFolder(b));
        Files.writeString(b.resolve("x"), "2");
        assertNotEquals(ContentHash.ofFolder(a), ContentHash.ofFolder(b));
        Files.writeString(b.resolve("x"), "1");
        Files.move(b.resolve("x"), b.resolve("y"));
        assertNotEquals(ContentHash.ofFolder(a), ContentHash.ofFolder(b));
    }
}
