package dev.calibra.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {

    @TempDir
    Path dir;

    private void writeShards() throws IOException {
        new SafetensorsWriter().addF32("a", new long[] {2}, new float[] {1, 2}).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().addF32("b", new long[] {1}, new float[] {3}).write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    @Test
    void open_shardedIndex_findsTensorsAcrossShards() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), "{\"metadata\":{},\"weight_map\":{"
                + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            assertEquals(Set.of("a", "b"), checkpoint.tensorNames());
            assertArrayEquals(new float[] {1, 2}, checkpoint.readFloats("a"));
            assertArrayEquals(new float[] {3}, checkpoint.readFloats("b"));
            assertEquals(2, checkpoint.shards().size());
        }
    }

    @Test
    void open_indexNamesMissingShard_namesShard() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"gone.safetensors\"}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("'gone.safetensors'"), e.getMessage());
    }

    @Test
    void open_indexPutsTensorInWrongShard_namesTensor() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"weight_map\":{\"a\":\"model-00002-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("tensor 'a'"), e.getMessage());
    }

    @Test
    void open_twoFilesWithoutIndex_refused() throws IOException {
        writeShards();
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("2 *.safetensors files"), e.getMessage());
    }

    @Test
    void info_unknownTensor_namesIt() throws IOException {
        new SafetensorsWriter().addF32("a", new long[] {1}, new float[] {1}).write(dir.resolve("model.safetensors"));
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> checkpoint.info("zzz"));
            assertTrue(e.getMessage().contains("'zzz'"));
        }
    }
}
