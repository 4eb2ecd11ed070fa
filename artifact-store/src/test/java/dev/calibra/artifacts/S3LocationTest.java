package dev.calibra.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys, object keys and URIs of an S3 store, and the folder manifest's format. */
class S3LocationTest {

    private final S3Location location = S3Location.parse(URI.create("s3://bucket/calibra/store/"));

    @Test
    void keys_mapToObjectKeysAndUris_andBack() {
        String key = "teams/nlp/models/run 1";
        assertEquals("calibra/store/teams/nlp/models/run 1", location.objectKey(key));
        URI uri = location.uriOf(key);
        assertEquals("s3://bucket/calibra/store/teams/nlp/models/run%201", uri.toString());
        assertEquals(key, location.keyOf(uri));
        assertEquals("teams/a/x", new S3Location("bucket", "").keyOf(URI.create("s3://bucket/teams/a/x")));
    }

    @Test
    void keysThatEscapeOrAreAmbiguous_areRefused() {
        for (String key : List.of("../x", "/x", "a/../../x", "a//b", "a/./b", "a/", " ", ".tmp/x", "a/.calibra-complete.tsv")) {
            assertThrows(IllegalArgumentException.class, () -> location.objectKey(key), key);
        }
        assertThrows(IllegalArgumentException.class, () -> S3Location.parse(URI.create("s3://bucket/a/../b")));
        assertThrows(IllegalArgumentException.class, () -> S3Location.parse(URI.create("http://bucket/a")));
        assertThrows(IllegalArgumentException.class, () -> new S3Location("x", "a"), "bucket names have 3 characters or more");
    }

    @Test
    void manifest_roundTrips_andRefusesNamesOutsideTheFolder() throws IOException {
        FolderManifest manifest = new FolderManifest("a".repeat(64), List.of(
                new FolderManifest.Entry("sub/w.bin", 3, "b".repeat(64)), new FolderManifest.Entry("config.json", 2, "c".repeat(64))));
        URI where = location.uriOf("m/" + FolderManifest.FILE_NAME.substring(1));
        assertEquals(manifest, FolderManifest.parse(manifest.toBytes(), where));
        assertEquals("config.json", manifest.entries().get(0).name(), "hash order");

        String escaping = "calibra-folder-manifest\t1\t" + "a".repeat(64) + "\t1\t1\n" + "b".repeat(64) + "\t1\t../x\n";
        assertThrows(IOException.class, () -> FolderManifest.parse(escaping.getBytes(StandardCharsets.UTF_8), where));
        String miscounted = "calibra-folder-manifest\t1\t" + "a".repeat(64) + "\t2\t1\n" + "b".repeat(64) + "\t1\tx\n";
        assertThrows(IOException.class, () -> FolderManifest.parse(miscounted.getBytes(StandardCharsets.UTF_8), where));
    }
}
